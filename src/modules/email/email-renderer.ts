import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { languageOf, Params, textDirection, translate } from './i18n';

/** The part of Eta's API used here (the package's types are ESM-only). */
interface EtaEngine {
  render(template: string, data: object): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Eta } = require('eta') as {
  Eta: new (options: { views: string; autoEscape: boolean; cache: boolean }) => EtaEngine;
};

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  language: string;
  dir: 'rtl' | 'ltr';
}

export interface EmailContent {
  subject: string;
  /** Addressee's name, for the greeting. */
  name: string;
  /** Template name without language or format: `notification`, `digest`. */
  template: string;
  /** Template data (escaped by the templates). */
  data: Record<string, unknown>;
  /** Absolute link to the record, if any. */
  link?: string;
  /** Why the addressee gets it: their notification preferences (default), or their account. */
  footer?: 'notifications' | 'account';
}

/**
 * Renders e-mails from Eta templates in `templates/<language>/<name>.<html|text>.eta`, falling
 * back to the English template when a language has none, with strings from the message
 * catalogues (per-string English fallback). HTML carries `lang` and `dir` (rtl for Arabic).
 * The templates ship beside the compiled code (nest-cli.json assets).
 */
export class EmailRenderer {
  private readonly eta: EtaEngine;

  constructor(private readonly dir: string = join(__dirname, 'templates')) {
    this.eta = new Eta({ views: dir, autoEscape: true, cache: true });
  }

  /** `./<lang>/<name>.<format>.eta` if that file exists, else the English one. */
  templatePath(language: string, name: string, format: 'html' | 'text'): string {
    const file = `${name}.${format}.eta`;
    const own = `./${languageOf(language)}/${file}`;
    return existsSync(join(this.dir, own)) ? own : `./en/${file}`;
  }

  render(language: string, content: EmailContent): RenderedEmail {
    const lang = languageOf(language);
    const dir = textDirection(lang);
    const t = (key: string, params?: Params) => translate(lang, key, params);
    const base = {
      ...content.data,
      lang,
      dir,
      t,
      name: content.name,
      link: content.link,
      footer: content.footer ?? 'notifications',
    };
    const out = (format: 'html' | 'text') => {
      const inner = this.eta.render(this.templatePath(lang, content.template, format), base);
      return this.eta.render(this.templatePath(lang, 'layout', format), {
        ...base,
        subject: content.subject,
        content: inner,
      });
    };
    return { subject: content.subject, html: out('html'), text: out('text'), language: lang, dir };
  }
}
