import type { Catalogue } from './en';

/**
 * Arabic, Chinese and Russian: the mechanism supports them; what is translated so far is here,
 * and every missing string falls back to English, one string at a time.
 */
export const ar: Partial<Catalogue> = {
  'layout.greeting': 'مرحبًا {name}،',
  'layout.open': 'فتح في المنصة',
  'layout.footer':
    'تتلقى هذه الرسالة من منصة المساعدة في مجال الأسلحة الصغيرة والأسلحة الخفيفة (قرار الجمعية العامة 62/47) وفقًا لتفضيلات الإشعارات الخاصة بك.',
  'match.proposed.title': 'مطابقة مقترحة: {need}',
};

export const zh: Partial<Catalogue> = {
  'layout.greeting': '{name}，您好：',
  'layout.open': '在平台上打开',
  'match.proposed.title': '拟议匹配：{need}',
};

export const ru: Partial<Catalogue> = {
  'layout.greeting': 'Здравствуйте, {name}!',
  'layout.open': 'Открыть на платформе',
  'match.proposed.title': 'Предложено соответствие: {need}',
};
