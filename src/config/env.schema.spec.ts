import { ConfigValidationError, parseEnv } from './env.schema';

const valid = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/salw',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: 'a'.repeat(32),
};

function problems(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    parseEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return Object.fromEntries(
      (error as ConfigValidationError).problems.map((p) => [p.variable, p.message]),
    );
  }
  throw new Error('expected a ConfigValidationError');
}

describe('environment schema', () => {
  it('applies the documented defaults', () => {
    const env = parseEnv(valid);
    expect(env.PORT).toBe(3000);
    expect(env.WRITE_RATE_LIMIT_PER_MIN).toBe(600);
    expect(env.CORS_ORIGINS).toEqual([]);
    expect(env.ADMIN_EMAIL).toBeUndefined();
    expect(env.METRICS_TOKEN).toBeUndefined();
  });

  it('reports every missing required variable at once, each by name', () => {
    expect(problems({})).toEqual({
      DATABASE_URL: 'is required',
      REDIS_URL: 'is required',
      JWT_SECRET: 'is required',
    });
  });

  it('reports malformed values together with missing ones', () => {
    const found = problems({
      DATABASE_URL: 'mysql://x',
      PORT: 'eighty',
      JWT_SECRET: 'short',
      CORS_ORIGINS: 'a,b',
    });
    expect(Object.keys(found).sort()).toEqual(['DATABASE_URL', 'JWT_SECRET', 'PORT', 'REDIS_URL']);
    expect(found.DATABASE_URL).toMatch(/postgres/);
    expect(found.JWT_SECRET).toMatch(/32/);
  });

  it('treats empty strings as unset and requires admin e-mail and password together', () => {
    expect(problems({ ...valid, ADMIN_EMAIL: 'admin@example.org', ADMIN_PASSWORD: '' })).toEqual({
      ADMIN_PASSWORD: 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
    });
    expect(
      problems({ ...valid, ADMIN_EMAIL: 'not-an-email', ADMIN_PASSWORD: 'x'.repeat(16) }),
    ).toHaveProperty('ADMIN_EMAIL');
  });

  it('splits CORS origins and parses numbers', () => {
    const env = parseEnv({ ...valid, CORS_ORIGINS: 'https://a.org, https://b.org', PORT: '8080' });
    expect(env.CORS_ORIGINS).toEqual(['https://a.org', 'https://b.org']);
    expect(env.PORT).toBe(8080);
  });

  it('formats one message naming each variable', () => {
    expect(() => parseEnv({ REDIS_URL: 'http://x' })).toThrow(
      /DATABASE_URL: is required\n\s+- REDIS_URL: must be a URL with scheme redis or rediss\n\s+- JWT_SECRET: is required/,
    );
  });
});
