import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(':', ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${protocols.join(' or ')}` },
  );

/** Partial override of the matching weights (src/modules/matching/engine/types.ts). */
const matchWeights = z
  .object({
    areas: z.number().min(0).max(1),
    types: z.number().min(0).max(1),
    budget: z.number().min(0).max(1),
    timing: z.number().min(0).max(1),
    language: z.number().min(0).max(1),
    priority: z.number().min(0).max(1),
    engagement: z.number().min(0).max(1),
    text: z.number().min(0).max(1),
    breadth: z.number().min(0).max(1),
  })
  .partial()
  .strict();

/**
 * Every environment variable the platform reads. Required ones have no default; everything
 * else does, except ADMIN_EMAIL/ADMIN_PASSWORD (no admin is created when unset).
 */
export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    DATABASE_URL: url(['postgres', 'postgresql']),
    REDIS_URL: url(['redis', 'rediss']),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    ADMIN_EMAIL: z.email().optional(),
    ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    SMTP_URL: url(['smtp', 'smtps']).default('smtp://127.0.0.1:1025'),
    MAIL_FROM: z.string().min(3).default('SALW Assistance Platform <no-reply@localhost>'),
    PUBLIC_BASE_URL: url(['http', 'https']).default('http://localhost:3000'),
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    WRITE_RATE_LIMIT_PER_MIN: z.coerce.number().int().positive().default(600),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only')
      .default('salw'),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    WORKER_LOCK_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).default(25000),
    BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'like 1mb or 512kb')
      .default('1mb'),
    DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    API_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
    DB_LOG_QUERIES: booleanFlag.default(false),
    MATCH_TOP_K: z.coerce.number().int().min(1).max(100).default(10),
    MATCH_MIN_SCORE: z.coerce.number().min(0).max(1).default(0.2),
    MATCH_WEIGHTS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return undefined;
        try {
          const parsed: unknown = JSON.parse(v);
          return matchWeights.parse(parsed);
        } catch {
          ctx.addIssue({
            code: 'custom',
            message: 'must be JSON like {"areas":0.3,...} with numbers in [0, 1]',
          });
          return z.NEVER;
        }
      }),
    MATCH_RECONCILE_EVERY_MS: z.coerce.number().int().min(1000).default(60_000),
    OUTBOX_POLL_MS: z.coerce.number().int().min(100).default(5000),
    MATCH_CHUNK_SIZE: z.coerce.number().int().min(1).max(100_000).default(2000),
    MATCH_OFFER_PART_SIZE: z.coerce.number().int().min(1).max(100_000).default(1000),
    MATCH_COPY_MIN_ROWS: z.coerce.number().int().min(1).default(200),
    MATCH_FLOOR_SAMPLE: z.coerce.number().int().min(0).max(100_000).default(5000),
    NO_OBJECTION_WORKING_DAYS: z.coerce.number().int().min(0).max(60).default(5),
    CONSENT_RELEASE_EVERY_MS: z.coerce.number().int().min(1000).default(300_000),
    COORDINATION_ALERT_SWEEP_EVERY_MS: z.coerce.number().int().min(1000).default(600_000),
    IATI_REPORTING_ORG_REF: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]{1,49}$/,
        'an IATI organisation identifier, like XM-DAC-41127',
      )
      .default('XI-IATI-UNODA'),
    IATI_REPORTING_ORG_NAME: z
      .string()
      .min(1)
      .max(200)
      .default('United Nations Office for Disarmament Affairs'),
    IATI_REPORTING_ORG_TYPE: z
      .string()
      .regex(/^\d{2}$/, 'an IATI OrganisationType code, like 40')
      .default('40'),
    // Notifications (docs/NOTIFICATIONS.md).
    NOTIFY_SUGGESTION_MIN_SCORE: z.coerce.number().min(0).max(1).default(0.5),
    NOTIFY_SWEEP_EVERY_MS: z.coerce.number().int().min(100).default(30_000),
    NOTIFY_LEASE_MS: z.coerce.number().int().min(1000).default(120_000),
    NOTIFY_EMAIL_RETRY_BASE_MS: z.coerce.number().int().min(10).default(60_000),
    NOTIFY_EMAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
    NOTIFY_DIGEST_CRON: z
      .string()
      .regex(/^\S+( \S+){4}$/, 'a cron pattern with five fields, like 0 6 * * *')
      .default('0 6 * * *'),
    WEBHOOK_ALLOW_INSECURE: booleanFlag.default(false),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).default(60_000),
    WEBHOOK_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(10).default(21_600_000),
    WEBHOOK_RETRY_WINDOW_MS: z.coerce.number().int().min(100).default(86_400_000),
    FOLLOW_UP_CRON: z
      .string()
      .regex(/^\S+( \S+){4}$/, 'a cron pattern with five fields, like 0 5 * * *')
      .default('0 5 * * *'),
    FOLLOW_UP_AGREEMENT_DAYS: z.coerce.number().int().min(1).default(365),
    FOLLOW_UP_STALE_NEED_DAYS: z.coerce.number().int().min(1).default(90),
  })
  .refine((env) => !(env.WEBHOOK_ALLOW_INSECURE && env.NODE_ENV === 'production'), {
    message: 'must not be true in production (it allows http and private addresses)',
    path: ['WEBHOOK_ALLOW_INSECURE'],
  })
  .refine((env) => (env.ADMIN_EMAIL === undefined) === (env.ADMIN_PASSWORD === undefined), {
    message: 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together',
    path: ['ADMIN_PASSWORD'],
  });

export type Env = z.infer<typeof envSchema>;

export class ConfigValidationError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      'Invalid configuration:\n' +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

/** Parses the environment, reporting every problem at once, each naming its variable. */
export function parseEnv(source: NodeJS.ProcessEnv = process.env): Env {
  // Empty strings count as unset, as in most .env tooling.
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = envSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    variable: String(issue.path[0] ?? 'environment'),
    message:
      issue.code === 'invalid_type' && cleaned[String(issue.path[0])] === undefined
        ? 'is required'
        : issue.message,
  }));
  throw new ConfigValidationError(problems);
}
