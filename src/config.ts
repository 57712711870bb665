// Runtime configuration from the environment, validated once at start-up.
import { z } from 'zod';
import { parseCredentialKeys } from './credential-keys';

/** Statement texts each process prepares unless DATABASE_PREPARED_STATEMENTS says (src/db/prepared-statements.ts). */
export const DEFAULT_PREPARED_STATEMENTS = 200;

const intFromEnv = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  /** PostgreSQL server; without it an embedded PostgreSQL (PGlite) keeps data under DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /**
   * Read replica of DATABASE_URL (only with it): the GraphQL data reads go there; writes, audit,
   * imports, retention and every security check (tokens, suspensions) stay on DATABASE_URL.
   */
  DATABASE_READ_URL: z.string().url().optional(),
  /**
   * Connections each process keeps to DATABASE_URL (and as many to DATABASE_READ_URL); the
   * processes' sum plus one change-feed connection each must fit the server's max_connections.
   */
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
  /**
   * Statement texts (the hot ones, from their second use) each process sends as prepared
   * statements, parsed and planned once per connection; 0: none (a pooler in transaction mode).
   */
  DATABASE_PREPARED_STATEMENTS: z.coerce.number().int().min(0).default(DEFAULT_PREPARED_STATEMENTS),
  // --- Fault tolerance (docs/fault-tolerance.md); 0 switches a timeout off. ---
  /** One deadline per request: admission, execution and the audit write; past it, 503 UNAVAILABLE. */
  REQUEST_DEADLINE_MS: z.coerce.number().int().min(0).default(15_000),
  /** `statement_timeout` of the gateway's database sessions (not on the embedded database). */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  /** `lock_timeout` of the gateway's database sessions: a lock wait fails instead of stalling. */
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(5_000),
  /** Longest wait for a pooled database connection (pg `connectionTimeoutMillis`). */
  DATABASE_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(0).default(5_000),
  /** `/readyz` answers within this, not ready when the pool or the audit append cannot make progress. */
  READY_TIMEOUT_MS: z.coerce.number().int().positive().default(2_000),
  /** Largest upload to POST /imports (bytes); a larger one is refused with 413 and its JSON answer. */
  IMPORT_MAX_BYTES: z.coerce.number().int().positive().default(104_857_600),
  DATA_DIR: z.string().default('.data'),
  SEED_DEMO: z.enum(['0', '1', 'true', 'false']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_PAGE_SIZE: intFromEnv(20),
  MAX_PAGE_SIZE: intFromEnv(100),
  /** Access policy file (JSON) replacing the shipped default; invalid -> start-up stops. */
  POLICY_FILE: z.string().optional(),
  /**
   * Safety-net poll (ms) of the newest applied policy revision; a 'policy-changed' event on the
   * change feed switches every process at once, the poll catches a missed event. 0: no poll.
   */
  POLICY_POLL_MS: z.coerce.number().int().min(0).default(2_000),
  /** Key of the PSEUDONYM mask (HMAC-SHA256); required in production, a demo key elsewhere. */
  PSEUDONYM_KEY: z.string().min(16).optional(),
  /** User JWTs: HS256 secret, or a JWKS URL for RS256/ES256 (single sign-on). */
  JWT_SECRET: z.string().min(32).optional(),
  JWKS_URL: z.string().url().optional(),
  /**
   * Longest wait (ms) for the JWKS endpoint's key set; past it, user JWTs are answered 503 UNAVAILABLE
   * (AUTHENTICATION_UNAVAILABLE) rather than holding the request for a slow single sign-on.
   */
  JWKS_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  JWT_AUDIENCE: z.string().optional(),
  JWT_ISSUER: z.string().optional(),
  /** Claim holding the user's role (a role name of the policy). */
  JWT_ROLE_CLAIM: z.string().default('role'),
  /** Longest lifetime of a user JWT in seconds (`exp` minus `iat`, or minus now without `iat`); `exp` is required. */
  JWT_MAX_LIFETIME_SECONDS: z.coerce.number().int().positive().default(86_400),
  /** Largest accepted request body (express/body-parser size syntax). */
  BODY_LIMIT: z.string().default('1mb'),
  /** Signs audit chain checkpoints (HMAC-SHA256); without it no periodic checkpoint is taken. */
  AUDIT_CHECKPOINT_KEY: z.string().min(16).optional(),
  // --- Security operations (src/security, docs/security.md); 0 switches a numeric limit off. ---
  /** Operation limits, checked before execution. */
  MAX_QUERY_DEPTH: z.coerce.number().int().min(0).default(12),
  /** Cost: one per field, list fields multiply their selection by `first` (or the default page size). */
  MAX_QUERY_COST: z.coerce.number().int().min(0).default(25_000),
  MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  /**
   * An operation selecting only introspection fields, by a principal allowed to introspect, is held
   * to these instead of MAX_QUERY_DEPTH / MAX_QUERY_COST (introspection fields counted).
   */
  MAX_INTROSPECTION_DEPTH: z.coerce.number().int().min(0).default(30),
  MAX_INTROSPECTION_COST: z.coerce.number().int().min(0).default(200_000),
  MAX_DIRECTIVES: z.coerce.number().int().min(0).default(20),
  MAX_TOKENS: z.coerce.number().int().min(0).default(4_000),
  /** Largest GraphQL document (bytes of the query string). */
  MAX_DOCUMENT_BYTES: z.coerce.number().int().min(0).default(65_536),
  /** Operations in one batched HTTP request. */
  MAX_BATCH_OPERATIONS: z.coerce.number().int().min(0).default(10),
  /** Execution time of one operation before its remaining fields are refused. */
  EXECUTION_TIMEOUT_MS: z.coerce.number().int().min(0).default(15_000),
  /** Whether partner tokens may introspect (user roles follow the policy's `introspection` flag). */
  PARTNER_INTROSPECTION: z.enum(['0', '1', 'true', 'false']).default('false'),
  /** Partner tokens run only operations registered for them (`sellergate persisted add`). */
  PARTNER_PERSISTED_ONLY: z.enum(['0', '1', 'true', 'false']).default('true'),
  /**
   * Shared rate limits and suspicious-activity counters across gateway processes (in memory without
   * it), and the change feed between them (without it: LISTEN/NOTIFY on the PostgreSQL server).
   */
  REDIS_URL: z.string().url().optional(),
  /** Token bucket per principal (operations per minute, bucket size); per IP for every HTTP request. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  RATE_LIMIT_BURST: z.coerce.number().int().min(0).default(200),
  IP_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(1_200),
  IP_RATE_LIMIT_BURST: z.coerce.number().int().min(0).default(600),
  /** Browser origins allowed to call the API (comma-separated); none by default. */
  CORS_ORIGINS: z.string().default(''),
  /** HTTPS: PEM certificate and key files; HSTS is sent when set (or behind a TLS proxy). */
  TLS_CERT: z.string().optional(),
  TLS_KEY: z.string().optional(),
  HSTS_MAX_AGE: z.coerce.number().int().min(0).default(31_536_000),
  /** Express `trust proxy` (e.g. `loopback`, `1`, `10.0.0.0/8`): TLS ends at that proxy. */
  TRUST_PROXY: z.string().optional(),
  /** Suspicious activity: thresholds of the rules that suspend a principal. */
  SUSPICIOUS_FORBIDDEN_COUNT: z.coerce.number().int().min(0).default(50),
  SUSPICIOUS_FORBIDDEN_WINDOW_SECONDS: z.coerce.number().int().positive().default(300),
  SUSPICIOUS_ROWS_COUNT: z.coerce.number().int().min(0).default(100_000),
  SUSPICIOUS_ROWS_WINDOW_SECONDS: z.coerce.number().int().positive().default(3_600),
  /** Uses of a revoked token (or outside a token's IP allow-list) before it is suspended. */
  SUSPICIOUS_REVOKED_TOKEN_USES: z.coerce.number().int().min(0).default(1),
  SUSPICIOUS_IP_VIOLATIONS: z.coerce.number().int().min(0).default(1),
  /** How long a process may rely on its cached view of suspensions. */
  SUSPENSION_CACHE_MS: z.coerce.number().int().min(0).default(1_000),
  /**
   * API token records cached by token hash (src/auth/token-cache.ts): the longest an entry is used
   * (ms; revocations drop it at once through the change feed; 0: one lookup per request).
   */
  PRINCIPAL_CACHE_MS: z.coerce.number().int().min(0).default(5_000),
  /** Most token records cached per process. */
  PRINCIPAL_CACHE_SIZE: z.coerce.number().int().min(0).default(10_000),
  /** Access review: a grant (purpose) unused this many days is flagged for revocation. */
  ACCESS_REVIEW_UNUSED_DAYS: intFromEnv(90),
  /**
   * Keys encrypting the stored Amazon credentials (AES-256-GCM): `<keyId>:<base64 of 32 bytes>,...`;
   * the first encrypts, the others only decrypt until `sellergate credentials rotate-key` has moved
   * every credential off them. Outside production a demo key is used without it; production
   * without it stores no credential.
   */
  CREDENTIAL_KEYS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined) return;
      try {
        parseCredentialKeys(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  /** A stored credential whose secret is older than this (days) is flagged stale. */
  CREDENTIAL_MAX_AGE_DAYS: intFromEnv(180),
  // --- Amazon connectors (src/connectors, docs/connectors.md). ---
  /** Selling Partner API host (regional: sellingpartnerapi-na|eu|fe.amazon.com; sandbox hosts for testing). */
  SPAPI_ENDPOINT: z.string().url().default('https://sellingpartnerapi-na.amazon.com'),
  /** Amazon Ads API host (advertising-api.amazon.com, -eu, -fe). */
  ADS_API_ENDPOINT: z.string().url().default('https://advertising-api.amazon.com'),
  /** Login with Amazon token endpoint host (POST /auth/o2/token). */
  LWA_ENDPOINT: z.string().url().default('https://api.amazon.com'),
  /** When the server pulls from Amazon: `off` (default), `hourly`, `daily`, `daily@HH:MM` (UTC) or `<n>m|h|d`. */
  SYNC_SCHEDULE: z.string().default('off'),
  /** How often a report being made is polled (milliseconds). */
  SYNC_POLL_MS: intFromEnv(15_000),
  /** First run of a stream with no cursor and no --since: this many days back. */
  SYNC_INITIAL_DAYS: intFromEnv(30),
  /** A running sync refreshes its run's heartbeat this often (seconds). */
  SYNC_HEARTBEAT_SECONDS: intFromEnv(30),
  /** A RUNNING sync run without a heartbeat for this long was interrupted (its process died): closed as FAILED. */
  SYNC_STALE_RUN_MINUTES: intFromEnv(5),
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
  /** The privacy contact the public Data Deletion page names (/data-deletion). */
  CONTACT_EMAIL: z.string().email().default('privacy@company.example'),
  /**
   * Requests per source address to the public Data Deletion form and status page (principal kind
   * `public`): refilled per hour, bucket size. Counted on top of IP_RATE_LIMIT_*.
   */
  PUBLIC_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(0).default(30),
  PUBLIC_RATE_LIMIT_BURST: z.coerce.number().int().min(0).default(10),
  // --- Restricted exports (src/exports, docs/security.md). ---
  /** Hours an export can be downloaded by the principal that made it; then it is deleted. */
  EXPORT_TTL_HOURS: intFromEnv(24),
  /** How often each gateway process deletes expired exports (seconds). */
  EXPORT_SWEEP_SECONDS: intFromEnv(300),
  /**
   * Most rows one export holds. An export of a connection pages through it to the last page;
   * a result with more rows than this is refused (BAD_USER_INPUT), never cut.
   */
  EXPORT_MAX_ROWS: intFromEnv(50_000),
  /**
   * Federation: the gateway's Ed25519 private key (PKCS#8 PEM) signing the per-hop tokens, and the
   * subgraphs' public key (SPKI PEM) verifying them. Outside production a public demo key pair.
   */
  FEDERATION_SIGNING_KEY: z.string().optional(),
  FEDERATION_PUBLIC_KEY: z.string().optional(),
  /**
   * `serve --gateway` also answers Apollo Router's coprocessor calls (src/federation/coprocessor.ts):
   * on POST /coprocessor of its own listener, FEDERATION_COPROCESSOR_HOST:PORT, never the public port.
   */
  FEDERATION_COPROCESSOR: z.enum(['0', '1']).default('0'),
  /** The coprocessor listener's address: reachable by the router only (loopback, or a private network). */
  FEDERATION_COPROCESSOR_HOST: z.string().min(1).default('127.0.0.1'),
  /** The coprocessor listener's port (0 = any free port). */
  FEDERATION_COPROCESSOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  /**
   * `1`: in production the coprocessor listener may bind a wildcard (0.0.0.0, ::) or public
   * address; only when a firewall or network policy lets nothing but the router reach that port.
   */
  FEDERATION_COPROCESSOR_ALLOW_PUBLIC: z.enum(['0', '1']).default('0'),
  /**
   * Planned execution (src/execution): operations the policy fully allows over declared lists and
   * lookups run as one SQL statement per root field; `0` runs every operation through graphql-js.
   */
  PLANNED_EXECUTION: z.enum(['0', '1', 'true', 'false']).default('1'),
  /** Lifetime of one per-hop token (seconds). */
  FEDERATION_HOP_TTL_SECONDS: intFromEnv(10),
  /** Subgraphs: how long an idle keep-alive connection stays open (ms); above the gateway's idle socket timeout. */
  SUBGRAPH_KEEP_ALIVE_MS: intFromEnv(65_000),
  /** Federation gateway: `name=url,...` of the subgraphs (instead of `--subgraphs`). */
  FEDERATION_SUBGRAPHS: z.string().optional(),
  /** `serve --gateway`'s engine when --engine is not given: hive (Hive Gateway's runtime, default) or apollo (@apollo/gateway). */
  FEDERATION_ENGINE: z.enum(['apollo', 'hive']).default('hive'),
});

/** Settings valid only together. */
const checkedConfigSchema = configSchema.superRefine((value, issues) => {
  if (value.DATABASE_READ_URL && !value.DATABASE_URL) {
    issues.addIssue({
      code: 'custom',
      path: ['DATABASE_READ_URL'],
      message: 'is a read replica of DATABASE_URL and needs it: set DATABASE_URL to the primary (the embedded database has no replica)',
    });
  }
});

export type Config = z.infer<typeof configSchema>;

let cached: Config | undefined;

/** Reads and validates the environment; a bad value stops start-up with the variable's name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = checkedConfigSchema.safeParse(env);
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
