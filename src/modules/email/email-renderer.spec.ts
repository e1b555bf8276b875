import { mkdirSync, mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmailRenderer } from './email-renderer';
import { describe as describeEvent, formatAmount, hasTranslation, translate } from './i18n';
import { en } from './messages/en';
import { es } from './messages/es';
import { fr } from './messages/fr';

const facts = {
  need: 'Marking machines',
  offer: 'Marking equipment',
  state: 'Sierra Leone',
  donor: 'UNSCAR',
  score: 0.8123,
};

describe('message catalogues', () => {
  it('English, French and Spanish are complete and say something different', () => {
    for (const catalogue of [fr, es]) {
      expect(Object.keys(catalogue).sort()).toEqual(Object.keys(en).sort());
    }
    expect(translate('fr', 'match.proposed.title', { need: 'X' })).toBe(
      'Correspondance proposée : X',
    );
    expect(translate('es', 'match.proposed.title', { need: 'X' })).toBe(
      'Correspondencia propuesta: X',
    );
  });

  it('falls back to English string by string, and to the key for an unknown string', () => {
    expect(hasTranslation('ar', 'match.proposed.title')).toBe(true);
    expect(hasTranslation('ar', 'match.proposed.body')).toBe(false);
    const ar = describeEvent('ar', 'match.proposed', facts);
    expect(ar.title).toBe('مطابقة مقترحة: Marking machines');
    expect(ar.body).toBe(describeEvent('en', 'match.proposed', facts).body);
    expect(describeEvent('zh', 'match.agreed', facts)).toEqual(
      describeEvent('en', 'match.agreed', facts),
    );
    expect(translate('xx', 'layout.open')).toBe('Open on the platform');
    expect(translate('fr', 'no.such.key')).toBe('no.such.key');
    expect(translate('en', 'layout.greeting', {})).toBe('Hello {name},');
  });

  it('localises codes and amounts', () => {
    const declined = describeEvent('fr', 'match.declined', {
      ...facts,
      actor: 'UNSCAR',
      reasonCode: 'no_budget',
    });
    expect(declined.body).toContain('(motif : pas de budget)');
    expect(formatAmount('en', 120000, 'USD').replace(/\s/g, ' ')).toBe('USD 120,000.00');
    expect(formatAmount('fr', 120000, 'EUR').replace(/\s/g, ' ')).toBe('120 000,00 EUR');
    expect(formatAmount('en', 5, 'US')).toBe('US 5.00'); // not a currency code: plain
  });
});

describe('e-mail rendering', () => {
  const renderer = new EmailRenderer();

  it('renders HTML and text in the recipient language, escaping what users wrote', () => {
    const body = describeEvent('fr', 'match.proposed', {
      ...facts,
      need: 'Marquage <b>&</b>',
    }).body;
    const mail = renderer.render('fr', {
      subject: 'Sujet',
      name: 'Aminata <Kamara>',
      template: 'notification',
      data: { body },
      link: 'https://platform.example.org/api/v1/matches/1?a=1&b=2',
    });
    expect(mail).toMatchObject({ language: 'fr', dir: 'ltr', subject: 'Sujet' });
    expect(mail.html).toContain('<html lang="fr" dir="ltr">');
    expect(mail.html).toContain('Bonjour Aminata &lt;Kamara&gt;,');
    expect(mail.html).toContain('Marquage &lt;b&gt;&amp;&lt;/b&gt;');
    expect(mail.html).toContain('href="https://platform.example.org/api/v1/matches/1?a=1&amp;b=2"');
    expect(mail.html).toContain('Ouvrir sur la plateforme');
    expect(mail.text).toContain('Bonjour Aminata <Kamara>,');
    expect(mail.text).toContain('Le secrétariat propose l’offre « Marking equipment »');
    expect(mail.text).toContain('https://platform.example.org/api/v1/matches/1?a=1&b=2');
    expect(mail.text).not.toMatch(/&amp;|<p|<html/);
  });

  it('lays Arabic out right to left, with English for strings not yet translated', () => {
    const { title, body } = describeEvent('ar', 'match.proposed', facts);
    const mail = renderer.render('ar', {
      subject: title,
      name: 'Layla',
      template: 'notification',
      data: { body },
    });
    expect(mail.dir).toBe('rtl');
    expect(mail.html).toContain('<html lang="ar" dir="rtl">');
    expect(mail.html).toContain('dir="rtl"');
    expect(mail.html).toContain('text-align:right');
    expect(mail.html).toContain('مرحبًا Layla،');
    expect(mail.html).toContain('The secretariat proposes'); // body: English fallback
    expect(mail.html).toContain('To choose which notifications'); // footer line: English fallback
    const latin = renderer.render('ru', {
      subject: 's',
      name: 'n',
      template: 'notification',
      data: { body },
    });
    expect(latin.html).toContain('<html lang="ru" dir="ltr">');
    expect(latin.html).toContain('text-align:left');
  });

  it('uses a language’s own template when there is one, else the English one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'salw-templates-'));
    cpSync(join(__dirname, 'templates', 'en'), join(dir, 'en'), { recursive: true });
    mkdirSync(join(dir, 'es'));
    writeFileSync(join(dir, 'es', 'notification.text.eta'), 'PLANTILLA: <%~ it.body %>\n');
    const custom = new EmailRenderer(dir);
    expect(custom.templatePath('es', 'notification', 'text')).toBe('./es/notification.text.eta');
    expect(custom.templatePath('es', 'notification', 'html')).toBe('./en/notification.html.eta');
    expect(custom.templatePath('fr', 'layout', 'html')).toBe('./en/layout.html.eta');
    expect(custom.templatePath('xx', 'digest', 'text')).toBe('./en/digest.text.eta');
    const mail = custom.render('es', {
      subject: 's',
      name: 'Ana',
      template: 'notification',
      data: { body: 'cuerpo' },
    });
    expect(mail.text).toContain('PLANTILLA: cuerpo');
    expect(mail.text).toContain('Hola, Ana:');
    expect(mail.html).toContain('<p style="margin:0;">cuerpo</p>');
  });

  it('renders a digest listing every item', () => {
    const items = [
      { ...describeEvent('es', 'match.suggested', facts), link: 'https://p.example.org/a' },
      { ...describeEvent('es', 'match.proposed', facts), link: null },
    ];
    const mail = renderer.render('es', {
      subject: translate('es', 'digest.subject', { count: 2 }),
      name: 'Ana',
      template: 'digest',
      data: { items },
    });
    expect(mail.subject).toBe('Su resumen diario: 2 notificaciones');
    expect(mail.html).toContain('Nueva correspondencia sugerida: Marking machines');
    expect(mail.html).toContain('Correspondencia propuesta: Marking machines');
    expect(mail.text).toContain('* Nueva correspondencia sugerida: Marking machines');
    expect(mail.text).toContain('https://p.example.org/a');
  });
});
