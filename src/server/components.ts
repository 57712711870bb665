// The gateway's production wiring: the governed schema, authentication, the audit log (first
// plugin, so it sees every outcome) and the governance plugin. One place composes them; tests and
// benchmarks use the same function, with governance or audit switched off only where they say so.
import { In, type DataSource } from 'typeorm';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { describeAccess } from '../policy/describe-access';
import { Admission } from '../admission/admission';
import { graphqlAdmissionPlugin, type GraphqlAdmissionOptions } from '../admission/graphql-admission.plugin';
import { KnownOperations } from '../admission/known-operations';
import { ApiCallLogger } from '../audit/api-call.logger';
import { AuditWriter } from '../audit/audit.writer';
import { createAuthenticator, type Authenticate } from '../auth/authenticate';
import { createDemoTokens } from '../auth/api-token.service';
import { hashTokenSecret } from '../auth/token-secret';
import type { Config } from '../config';
import { exportsPlugin, exportsRouter, startExportSweep } from '../exports';
import { governSchema } from '../policy/govern-schema';
import { DEMO_PSEUDONYM_KEY, resolvePseudonymKey } from '../policy/masks';
import { GovernedSchemaSource } from '../policy/governed-schema-source';
import { plannedExecution } from '../execution/planned-executor';
import { loadPolicy } from '../policy/load-policy';
import type { Policy } from '../policy/policy';
import { PolicyHolder } from '../policy/policy-holder';
import { createSecurity, type Security } from '../security';
import { RedisBreaker } from '../security/redis-breaker';
import { createChangeFeed, type ChangeFeed } from './change-feed';
import type { GatewayComponents } from './gateway';
import { logger } from '../logger';
import { importsRouter } from './imports.route';
import { deletionFormRouter } from '../data-deletion/deletion-form.route';
import { consoleRouter } from '../console/console.route';
import { buildGatewaySchema } from './schema';

export interface ComponentOptions {
  dataSource: DataSource;
  config: Config;
  /** The policy when none was applied with `policy apply` (POLICY_FILE or the default). */
  policy: Policy;
  /** The process's policy holder; by default one following the database and the change feed. */
  policyHolder?: PolicyHolder;
  now?: () => Date;
  /** Benchmarks only: serve the raw schema without shield rules, masks or purpose checks. */
  governance?: boolean;
  /** Benchmarks only: no audit record per operation. */
  audit?: boolean;
  /** Benchmarks only: no limits, rate limits, suspensions or HTTP hardening (src/security). */
  security?: boolean;
  /** Benchmarks only: `false` serves every operation through Apollo Server's pipeline (no answers of known documents outside it). */
  knownOperations?: boolean;
}

export async function createComponents(options: ComponentOptions): Promise<GatewayComponents & { changes: ChangeFeed; admission: Admission }> {
  const { dataSource, config, policy } = options;
  const governed = options.governance ?? true;
  const audited = options.audit ?? true;
  const log = logger();
  // State changes shared with the other gateway processes (src/server/change-feed.ts).
  // Redis (REDIS_URL) behind one circuit breaker for the process: rate limits, counters and the
  // change feed fall back (in-process, PostgreSQL) while it is away (src/security/redis-breaker.ts).
  const redisBreaker = config.REDIS_URL && (options.security ?? true) ? new RedisBreaker(config.REDIS_URL, { log }) : null;
  const changes = createChangeFeed({ config, dataSource, log, redisAvailable: redisBreaker ? () => redisBreaker.available() : undefined });
  // The policy in force: the newest applied revision, else `policy`; swapped at runtime on a
  // 'policy-changed' event or at the POLICY_POLL_MS poll (src/policy/policy-holder.ts).
  const ownHolder = !options.policyHolder;
  const policies =
    options.policyHolder ??
    (await new PolicyHolder({
      dataSource,
      baseline: { policy, origin: config.POLICY_FILE ? { kind: 'file', file: config.POLICY_FILE } : { kind: 'default' } },
      pollMs: config.POLICY_POLL_MS,
      onSwap: (swap) => log.info({ from: swap.from, to: swap.to, origin: swap.origin, preparedInMs: Math.round(swap.preparedInMs) }, `access policy ${swap.to} in force`),
      onError: (error, what) => log.error({ err: error }, `${what} failed: the policy in force is unchanged`),
    }).start());
  if (ownHolder) policies.follow(changes);
  const rawSchema = await buildGatewaySchema();
  const pseudonymKey = resolvePseudonymKey(config);
  // The demo key is public: anyone can compute the pseudonym of a seller id they know and see which rows are that account's.
  if (governed && pseudonymKey === DEMO_PSEUDONYM_KEY) {
    log.warn('pseudonyms use the public demo key (PSEUDONYM_KEY not set), so they are not secret: set PSEUDONYM_KEY, at least 16 characters (production refuses to start without it)');
  }
  // Apollo takes its schema from here: rebuilt for each new policy, swapped between requests.
  // Operations the policy fully allows run on a plan (src/execution), unless PLANNED_EXECUTION=0.
  const schemas: GovernedSchemaSource = new GovernedSchemaSource(policies, (next) => (governed ? governSchema(describeAccess(rawSchema, next), next, { pseudonymKey }) : rawSchema));
  const planned = ['1', 'true'].includes(config.PLANNED_EXECUTION) ? plannedExecution({ policyOf: (schema) => schemas.policyOf(schema) }) : null;
  const apiCalls = new ApiCallLogger(dataSource, {
    now: options.now,
    onError: (error, rows) => log.error({ err: error, rows }, 'API call log rows could not be written'),
  });
  const writer = new AuditWriter(dataSource, {
    checkpointKey: config.AUDIT_CHECKPOINT_KEY ?? null,
    onError: (error, records) => log.error({ err: error, records }, 'audit records could not be written'),
  });
  // Security operations (src/security): suspensions, rate limits, operation limits, hardening.
  const security: Security | null =
    (options.security ?? true)
      ? await createSecurity({
          dataSource,
          config,
          policy: policies,
          changes,
          redisBreaker,
          now: options.now,
          onError: (error, what) => log.error({ err: error }, `security: ${what} failed`),
        })
      : null;
  // Token records cached by hash, dropped by the change feed's `token-revoked` (src/auth/token-cache.ts).
  // Not on the embedded database: its feed is in-process, and a revocation by the CLI (another
  // process) could not reach this one.
  const authenticator = createAuthenticator({
    config,
    policy: policies,
    cache: changes.transport === 'local' ? null : { changes, ttlMs: config.PRINCIPAL_CACHE_MS, maxEntries: config.PRINCIPAL_CACHE_SIZE },
  });
  const plainAuthenticate: Authenticate = authenticator;
  const authenticate: Authenticate = security ? security.wrapAuthenticate(plainAuthenticate) : plainAuthenticate;
  // Every entry point admits its requests here (src/admission): one pipeline, one audit chain.
  const admission: Admission = new Admission({
    dataSource,
    policies,
    authenticate,
    suspensions: security?.suspensions ?? null,
    rateLimiter: security?.rateLimiter ?? null,
    audit: audited ? (entry, appendOptions) => writer.append(entry, appendOptions) : null,
    now: options.now,
    changes,
    deadlineMs: config.REQUEST_DEADLINE_MS,
  });
  const onHttpRefusal: GatewayComponents['onHttpRefusal'] = audited ? (refusal) => admission.recordTransportRefusal(refusal) : undefined;
  const admissionOptions: GraphqlAdmissionOptions = {
    limits: security?.limits ?? null,
    mayIntrospect: security ? (principal, policy) => security.mayIntrospect(principal, policy) : () => true,
    isPersisted: security?.isPersisted ?? null,
    requirePurpose: governed,
    policyOf: (schema) => schemas.policyOf(schema),
    principalViews: governed,
    plannedExecution: planned,
    apiCalls,
    onWriteError: (error, requestId) => log.error({ err: error, requestId }, 'audit record not written: response withheld'),
  };
  // Planned operations of documents Apollo Server has validated are answered without its pipeline.
  const knownOperations = planned && (options.knownOperations ?? true)
    ? new KnownOperations(admission, {
        ...admissionOptions,
        currentSchema: () => schemas.current(),
        plannedExecution: planned,
        observeOperation: security ? (ctx, errors) => security.observeOperation(ctx, errors) : undefined,
      })
    : null;
  const plugins = [
    graphqlAdmissionPlugin(admission, { ...admissionOptions, knownOperations }),
    ...(security ? [security.plugin] : []),
    // Restricted exports run their query under this gateway's limits (src/exports).
    exportsPlugin({ ttlHours: config.EXPORT_TTL_HOURS, limits: security?.limits ?? null, pseudonymKey, maxRows: config.EXPORT_MAX_ROWS }),
  ];
  const now = options.now ?? (() => new Date());
  const exportSweep = startExportSweep(dataSource, {
    intervalMs: config.EXPORT_SWEEP_SECONDS * 1000,
    now,
    onError: (error) => log.error({ err: error }, 'expired exports could not be deleted'),
    onDeleted: (count) => log.info({ count }, 'expired exports deleted'),
  });
  return {
    changes,
    admission,
    schema: schemas.current(),
    apolloGateway: schemas,
    policies,
    authenticate,
    plugins,
    middleware: [apiCalls.middleware(), ...(security?.middleware ?? [])],
    routes: [importsRouter({ dataSource, admission, maxBytes: config.IMPORT_MAX_BYTES }), exportsRouter({ dataSource, admission }), deletionFormRouter({ dataSource, admission, config }), consoleRouter()],
    onHttpRefusal,
    auditWriter: writer,
    redisBreaker,
    graphqlChecks: security?.graphqlChecks,
    knownOperations,
    apolloOptions: security?.apolloOptions,
    trustProxy: security?.trustProxy,
    createServer: security ? (app) => security.createServer(app) : undefined,
    beforeListen: security ? (host) => security.assertTransportAllowed(host) : undefined,
    async stop() {
      await exportSweep.stop();
      await writer.stop();
      await apiCalls.stop();
      await security?.stop();
      authenticator.stop();
      if (ownHolder) await policies.stop();
      await changes.stop();
      await redisBreaker?.stop();
    },
  };
}

/** The access policy: POLICY_FILE when set, else the shipped default. */
export function loadGatewayPolicy(config: Config): Policy {
  return loadPolicy(config);
}

/**
 * Demo tokens, one per default role: created once and kept in `file` (the secrets are stored
 * only as hashes in the database, so the file is the one place they can be read again). Tokens in
 * the file are used only while this database knows every one of them as active: a file written for
 * another database (the embedded one, before DATABASE_URL was set) is replaced by new tokens.
 */
export async function ensureDemoTokens(dataSource: DataSource, file: string, policy: Policy): Promise<Record<string, string>> {
  const { existsSync, readFileSync, writeFileSync, mkdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    if (await demoTokensActive(dataSource, kept)) return kept;
  }
  const tokens = await createDemoTokens(dataSource, policy);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return tokens;
}

/** True when every token is stored in this database, neither revoked nor expired. */
async function demoTokensActive(dataSource: DataSource, tokens: Record<string, string>): Promise<boolean> {
  const secrets = Object.values(tokens).filter((token): token is string => typeof token === 'string');
  if (secrets.length === 0) return false;
  const hashes = secrets.map((token) => hashTokenSecret(token));
  const rows = await dataSource.getRepository(ApiToken).findBy({ tokenHash: In(hashes) });
  const now = Date.now();
  const active = rows.filter((row) => !row.revokedAt && (!row.expiresAt || row.expiresAt.getTime() > now));
  return new Set(active.map((row) => row.tokenHash)).size === new Set(hashes).size;
}
