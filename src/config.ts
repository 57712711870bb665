// Runtime configuration from the environment, validated once at start-up.
import { z } from 'zod';

const intFromEnv = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  /** PostgreSQL server; without it an embedded PostgreSQL (PGlite) keeps data under DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('.data'),
  SEED_DEMO: z.enum(['0', '1', 'true', 'false']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_PAGE_SIZE: intFromEnv(20),
  MAX_PAGE_SIZE: intFromEnv(100),
  /** Access policy file (JSON) replacing the shipped default; invalid -> start-up stops. */
  POLICY_FILE: z.string().optional(),
  /** Key of the PSEUDONYM mask (HMAC-SHA256); required in production, a demo key elsewhere. */
  PSEUDONYM_KEY: z.string().min(16).optional(),
  /** User JWTs: HS256 secret, or a JWKS URL for RS256/ES256 (single sign-on). */
  JWT_SECRET: z.string().min(32).optional(),
  JWKS_URL: z.string().url().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWT_ISSUER: z.string().optional(),
  /** Claim holding the user's role (a role name of the policy). */
  JWT_ROLE_CLAIM: z.string().default('role'),
  /** Largest accepted request body (express/body-parser size syntax). */
  BODY_LIMIT: z.string().default('1mb'),
  /** Signs audit chain checkpoints (HMAC-SHA256); without it no periodic checkpoint is taken. */
  AUDIT_CHECKPOINT_KEY: z.string().min(16).optional(),
  // --- Retention, legal holds and deletion requests (src/retention, docs/retention.md). ---
  /** Retention rules file (JSON) overriding the shipped defaults by rule id; invalid -> start-up stops. */
  RETENTION_FILE: z.string().optional(),
  /** When the server applies retention: `daily`, `daily@HH:MM` (UTC), `hourly`, `<n>m|h|d`, or `off`. */
  RETENTION_SCHEDULE: z.string().default('daily'),
  /** Rows per batch; each batch is its own transaction with its progress record. */
  RETENTION_BATCH_SIZE: intFromEnv(500),
  /** Most rows one run touches; the rest waits for the next run. */
  RETENTION_MAX_ROWS_PER_RUN: intFromEnv(100_000),
  /** A RUNNING run without a heartbeat for this long crashed: the next run resumes it. */
  RETENTION_STALE_RUN_MINUTES: intFromEnv(15),
  /** Directory for compressed JSONL copies of archived rows; none written without it. */
  RETENTION_ARCHIVE_DIR: z.string().optional(),
  /** Days to carry out a deletion request, and hours for one initiated by Amazon. */
  DELETION_DUE_DAYS: intFromEnv(30),
  DELETION_AMAZON_DUE_HOURS: intFromEnv(72),
  /** Federation: key signing the internal context from gateway to subgraphs (same value on all). */
  FEDERATION_SECRET: z.string().min(32).optional(),
  /** Federation gateway: `name=url,...` of the subgraphs (instead of `--subgraphs`). */
  FEDERATION_SUBGRAPHS: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;

let cached: Config | undefined;

/** Reads and validates the environment; a bad value stops start-up with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

export function config(): Config {
  cached ??= loadConfig();
  return cached;
}
