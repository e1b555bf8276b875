import { Env, parseEnv } from './env.schema';

/** Typed, validated configuration, injected wherever settings are needed. */
export class AppConfig {
  private constructor(readonly env: Env) {}

  static fromEnv(source: NodeJS.ProcessEnv = process.env): AppConfig {
    return new AppConfig(parseEnv(source));
  }

  get isProduction(): boolean {
    return this.env.NODE_ENV === 'production';
  }
}
