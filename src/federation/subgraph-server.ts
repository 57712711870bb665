// One category served as a Federation 2 subgraph. It trusts nothing it cannot verify: every
// request must carry a per-hop token (src/federation/internal-context.ts) minted by the gateway for
// this subgraph, this exact document and these variables, unexpired and never used before (else
// 401 UNAUTHENTICATED, audited with the request id and the reason). Then the request passes the
// admission steps as a subgraph entry point (src/admission): suspension, purpose, operation limits,
// the persisted-only rule of partner tokens (by the client document hash the token carries), field
// decisions, masks and row scope (governSchema over the subgraph schema), and the subgraph writes
// its own audit record for the data it served (`servedBy` = the subgraph), linked to the gateway's
// record by the request id. What it masked and denied also goes back to the gateway in the
// response, so the gateway's response and audit record show it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request } from 'express';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import { performance } from 'node:perf_hooks';
import { Admission } from '../admission/admission';
import { REFUSAL_NOT_RECORDED_MESSAGE } from '../admission/http-admission';
import { answeredByApollo, operationRecordFacts } from '../admission/graphql-admission.plugin';
import { checkOperation } from '../admission/operation-checks';
import { operationFacts } from '../admission/operation-facts';
import { AuditWriter } from '../audit/audit.writer';
import { rowScopeOf } from '../auth/principal';
import { RevokedTokens } from '../auth/revoked-tokens';
import type { Config } from '../config';
import { LoaderRegistry, newRequestContext, type RequestContext } from '../context';
import { replicaReads } from '../db/read-replica';
import { ErrorCode } from '../errors';
import { governSchema } from '../policy/govern-schema';
import type { Policy } from '../policy/policy';
import { PolicyHolder } from '../policy/policy-holder';
import { createSecurity, type Security } from '../security';
import { createChangeFeed } from '../server/change-feed';
import { buildGatewaySchema } from '../server/schema';
import { formatGatewayError } from '../server/gateway';
import { logger } from '../logger';
import { readinessHandler } from '../server/readiness';
import { requestIdMiddleware } from '../request-id';
import { hopBodyHash, INTERNAL_CONTEXT_HEADER, InternalContextError, verifyInternalContext, type FederationKeys, type ReplayCache, type VerifiedHop } from './internal-context';
import { createReplayCache } from './replay-cache';
import { buildSubgraph, type SubgraphName } from './subgraphs';

export interface SubgraphServerOptions {
  name: SubgraphName;
  dataSource: DataSource;
  config: Config;
  /** The policy when none was applied with `policy apply` (POLICY_FILE or the default). */
  policy: Policy;
  /** The gateway's public key verifies hop tokens (the private key is not needed here). */
  keys: FederationKeys;
  /** Token ids already used (default: Redis with REDIS_URL, else in-process). */
  replay?: ReplayCache;
  now?: () => Date;
}

export interface SubgraphServer {
  name: SubgraphName;
  url: string;
  httpServer: Server;
  /** The subgraph's policy holder (follows applied policies like the gateway's). */
  policies: PolicyHolder;
  stop(): Promise<void>;
}

/** How long a subgraph keeps serving the policy before the one in force (operations started under it). */
const PREVIOUS_POLICY_GRACE_MS = 60_000;

interface VersionServer {
  policy: Policy;
  apollo: ApolloServer<RequestContext>;
  handler: express.RequestHandler;
}

/** Extension a subgraph adds to each response: what its governance did, for the gateway to merge. */
export const SUBGRAPH_GOVERNANCE_EXTENSION = 'subgraphGovernance';

export interface SubgraphGovernance {
  masked: string[];
  denied: string[];
  rowsByCategory: Record<string, number>;
  suppressedGroups: number;
}

function refusal(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } } });
}

/** Loading the SDL (no principal) may read `_service` and nothing else. */
const SCHEMA_LOADING_FIELDS = new Set(['Query._service', '_Service.sdl']);

/** The verified hop token a subgraph request's context was built from (an own property: Apollo may copy contexts). */
const HOP = Symbol('sellergate.hop');
function hopOf(ctx: RequestContext): VerifiedHop | undefined {
  return (ctx as RequestContext & { [HOP]?: VerifiedHop })[HOP];
}

interface SubgraphPluginOptions {
  name: SubgraphName;
  admission: Admission;
  security: Security;
  onWriteError(error: unknown, requestId: string): void;
}

export const SUBGRAPH_AUDIT_WRITE_FAILED_MESSAGE = 'The audit record of this subgraph request could not be written, so its data is withheld';

function subgraphPlugin(options: SubgraphPluginOptions): ApolloServerPlugin<RequestContext> {
  const { admission, security } = options;
  return {
    async requestDidStart() {
      let executed = false;
      return {
        async didResolveOperation(request) {
          const ctx = request.contextValue;
          if (!ctx.principal) {
            const selected = request.operation && request.document ? operationFacts(request.schema, request.document, request.operation).objectFields : new Set<string>();
            if ([...selected].some((coordinate) => !SCHEMA_LOADING_FIELDS.has(coordinate) && !coordinate.endsWith('.__typename'))) {
              throw refusal('The hop token names no principal: only the subgraph SDL can be read with it');
            }
            return;
          }
          if (ctx.refusal) throw ctx.refusal;
          if (!request.operation) return;
          // Partner tokens: the client's document must be registered for the token; the hop token
          // carries its hash and is bound to the document the gateway planned from it.
          const hop = hopOf(ctx);
          await checkOperation(
            ctx,
            {
              schema: request.schema,
              document: request.document,
              operation: request.operation,
              operationName: request.operationName,
              variables: request.request.variables,
              documentHash: hop?.clientDocumentHash ?? null,
            },
            { limits: security.limits, mayIntrospect: (principal, policy) => security.mayIntrospect(principal, policy), isPersisted: security.isPersisted },
          );
        },
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse(request) {
          const body = request.response.body;
          const ctx = request.contextValue;
          if (body?.kind === 'single') {
            const governance: SubgraphGovernance = {
              masked: [...ctx.governance.masked].sort(),
              denied: [...ctx.governance.denied].sort(),
              rowsByCategory: { ...ctx.governance.rowsByCategory },
              suppressedGroups: ctx.governance.suppressedGroups,
            };
            body.singleResult.extensions = { ...body.singleResult.extensions, [SUBGRAPH_GOVERNANCE_EXTENSION]: governance, policyVersion: ctx.policy.version };
          }
          // Loading the SDL serves no data: only requests of a principal are recorded here.
          if (!ctx.principal) return;
          try {
            await admission.record(ctx, { ...operationRecordFacts(answeredByApollo(request), executed), servedBy: options.name });
          } catch (error) {
            options.onWriteError(error, ctx.requestId);
            request.response.body = {
              kind: 'single',
              singleResult: { data: null, errors: [{ message: SUBGRAPH_AUDIT_WRITE_FAILED_MESSAGE, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, reason: 'AUDIT_WRITE_FAILED' } }] },
            };
            request.response.http.status = 503;
          }
        },
      };
    },
  };
}

/** The context of the gateway loading the subgraph's SDL (no principal, nothing else readable). */
function schemaLoadingContext(req: Request, hop: VerifiedHop, options: SubgraphServerOptions, policy: Policy, now: () => Date): RequestContext {
  const header = (name: string) => req.get(name) ?? null;
  return newRequestContext({
    requestId: hop.requestId,
    entry: 'subgraph',
    principal: null,
    purpose: null,
    scope: rowScopeOf(null),
    db: options.dataSource.manager,
    reads: replicaReads(options.dataSource),
    loaders: new LoaderRegistry(),
    now,
    policy,
    declaredPurpose: null,
    refusal: null,
    http: { ip: req.ip ?? null, userAgent: header('user-agent'), clientName: header('apollographql-client-name'), clientVersion: header('apollographql-client-version') },
    startedAt: Date.now(),
  });
}

export async function createSubgraphServer(options: SubgraphServerOptions): Promise<{ app: express.Express; httpServer: Server; policies: PolicyHolder; stop(): Promise<void> }> {
  const { dataSource, config, keys } = options;
  const replay = options.replay ?? createReplayCache(config.REDIS_URL);
  const now = options.now ?? (() => new Date());
  const log = logger().child({ subgraph: options.name });
  // The policy in force follows applied policies like the gateway's (src/policy/policy-holder.ts).
  const changes = createChangeFeed({ config, dataSource, log });
  const policies = await new PolicyHolder({
    dataSource,
    baseline: { policy: options.policy, origin: config.POLICY_FILE ? { kind: 'file', file: config.POLICY_FILE } : { kind: 'default' } },
    pollMs: config.POLICY_POLL_MS,
    onSwap: (swap) => log.info({ from: swap.from, to: swap.to, origin: swap.origin }, `access policy ${swap.to} in force`),
    onError: (error, what) => log.error({ err: error }, `${what} failed: the policy in force is unchanged`),
  }).start();
  policies.follow(changes);
  const subgraphSchema = await buildSubgraph(options.name);
  // The governance subgraph explains access to every coordinate of the API, not only its own.
  const apiSchema = options.name === 'governance' ? await buildGatewaySchema() : undefined;
  const writer = new AuditWriter(dataSource, {
    checkpointKey: config.AUDIT_CHECKPOINT_KEY ?? null,
    onError: (error, records) => log.error({ err: error, records }, 'audit records could not be written'),
  });
  // Suspensions, operation limits and persisted operations as on the gateway (src/security).
  const security = await createSecurity({
    dataSource,
    config,
    policy: policies,
    changes,
    now: options.now,
    onError: (error, what) => log.error({ err: error }, `security: ${what} failed`),
  });
  // Tokens revoked since a gateway authenticated them: the change feed tells this process at once
  // (SUSPENSION_CACHE_MS poll as the safety net, 1 s when it is 0), so a hop for a revoked token is
  // refused here too.
  const revokedTokens = await new RevokedTokens(dataSource, {
    pollMs: config.SUSPENSION_CACHE_MS || 1_000,
    changes,
    onError: (error) => log.error({ err: error }, 'revoked tokens: reload failed'),
  }).start();
  // The subgraph's admission: the principal is the one the hop token names (authenticated by the
  // gateway); revocation, expiry, suspension and purpose are checked again here. Rate limits are not taken twice: each
  // hop token is single-use and minted for an operation the gateway admitted under its limits.
  const admission = new Admission({
    dataSource,
    policies,
    authenticate: async () => null,
    suspensions: security.suspensions,
    revokedTokens,
    audit: (entry, appendOptions) => writer.append(entry, appendOptions),
    now,
    changes,
    deadlineMs: config.REQUEST_DEADLINE_MS,
  });
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  // Idle keep-alive connections stay open longer than the gateway keeps them (it reads the
  // `Keep-Alive: timeout` this sends and stops reusing a connection before it closes here).
  httpServer.keepAliveTimeout = config.SUBGRAPH_KEEP_ALIVE_MS;
  httpServer.headersTimeout = config.SUBGRAPH_KEEP_ALIVE_MS + 5_000;

  // One Apollo server per policy version: the one in force, and the one before it for a grace
  // period, so an operation the gateway started under the previous policy finishes under it.
  const serve = async (policy: Policy): Promise<VersionServer> => {
    const apollo = new ApolloServer<RequestContext>({
      schema: governSchema(subgraphSchema, policy),
      plugins: [
        subgraphPlugin({ name: options.name, admission, security, onWriteError: (error, requestId) => log.error({ err: error, requestId }, 'subgraph audit record not written: response withheld') }),
        ApolloServerPluginInlineTraceDisabled(),
        ApolloServerPluginLandingPageDisabled(),
      ],
      formatError: formatGatewayError,
      includeStacktraceInErrorResponses: false,
      csrfPrevention: true,
      introspection: false,
      // serveSubgraph stops the whole server on SIGINT/SIGTERM; no handlers per policy version.
      stopOnTerminationSignals: false,
    });
    await apollo.start();
    const handler = expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const hop = res.locals.hop as VerifiedHop;
        const ctx = hop.principal
          ? await admission.admit({
              entry: 'subgraph',
              requestId: hop.requestId,
              principal: hop.principal,
              origin: { ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null, clientName: req.get('apollographql-client-name') ?? null, clientVersion: req.get('apollographql-client-version') ?? null },
              declaredPurpose: hop.purpose,
              policy,
            })
          : schemaLoadingContext(req, hop, options, policy, now);
        return Object.assign(ctx, { [HOP]: hop }, apiSchema ? { apiSchema } : {});
      },
    });
    return { policy, apollo, handler };
  };
  let current = await serve(policies.current());
  let previous: VersionServer | null = null;
  let retireTimer: NodeJS.Timeout | null = null;
  const retire = (server: VersionServer | null) => {
    if (server) server.apollo.stop().catch((error: unknown) => log.error({ err: error }, 'could not stop the server of a previous policy'));
  };
  const unregister = policies.prepare(async (policy) => {
    const next = await serve(policy);
    return () => {
      retire(previous);
      previous = current;
      current = next;
      if (retireTimer) clearTimeout(retireTimer);
      retireTimer = setTimeout(() => {
        retire(previous);
        previous = null;
      }, PREVIOUS_POLICY_GRACE_MS);
      retireTimer.unref();
    };
  });
  const serverFor = (version: string): VersionServer | null =>
    current.policy.version === version ? current : previous?.policy.version === version ? previous : null;

  app.use(requestIdMiddleware());
  app.get('/healthz', (_req, res) => {
    // The policy version in force here: every process of a deployment should show the same.
    res.json({ status: 'ok', subgraph: options.name, policyVersion: policies.current().version });
  });
  app.get('/readyz', readinessHandler(dataSource, { subgraph: options.name }, { timeoutMs: config.READY_TIMEOUT_MS, auditStalledMs: () => writer.stalledMs() }));
  // Refusals before GraphQL runs: an unauthenticated caller learns nothing, not even validation errors.
  // Such a caller pays the per-address rate limit (IP_RATE_LIMIT_*, 429 once exceeded; a request
  // with a valid hop token never does, see above), and each refusal is recorded once, fail-closed:
  // 503 when its record cannot be written.
  const refuse = async (req: Request, res: express.Response, error: unknown): Promise<void> => {
    const startedAt = performance.now();
    const requestId = String(res.locals.requestId);
    const reason = error instanceof InternalContextError ? error.reason : 'invalid';
    const byAddress = await security.rateLimiter.takeForIp(req.ip ?? 'unknown');
    const limited = !byAddress.allowed;
    const message = limited
      ? `Too many requests from this address: retry after ${byAddress.retryAfterSeconds} s (IP_RATE_LIMIT_PER_MINUTE, IP_RATE_LIMIT_BURST)`
      : error instanceof InternalContextError
        ? error.message
        : 'The hop token could not be verified';
    try {
      await admission.recordTransportRefusal({
        requestId,
        code: limited ? ErrorCode.RATE_LIMITED : ErrorCode.UNAUTHENTICATED,
        message,
        ip: req.ip ?? null,
        userAgent: req.get('user-agent') ?? null,
        servedBy: options.name,
        reason: `HOP_TOKEN_${reason.toUpperCase().replace('-', '_')}`,
        startedAt,
      });
    } catch (writeError) {
      log.error({ err: writeError, requestId }, 'could not record a refused subgraph request: answer withheld');
      res.status(503).set('retry-after', '1').json({ errors: [{ message: REFUSAL_NOT_RECORDED_MESSAGE, extensions: { code: ErrorCode.UNAVAILABLE, reason: 'AUDIT_WRITE_FAILED' } }] });
      return;
    }
    if (limited) {
      res.status(429).set('retry-after', String(byAddress.retryAfterSeconds)).json({ errors: [{ message, extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: byAddress.retryAfterSeconds } }] });
      return;
    }
    log.warn({ requestId, reason }, 'subgraph request refused: no valid hop token');
    res.status(401).json({ errors: [{ message, extensions: { code: ErrorCode.UNAUTHENTICATED, reason } }] });
  };
  const parseJson = express.json({ limit: config.BODY_LIMIT });
  app.use(
    '/graphql',
    // Without a hop token the body is not even parsed.
    (req, res, next) => {
      if (req.get(INTERNAL_CONTEXT_HEADER)) return next();
      void refuse(req, res, new InternalContextError('missing', 'Subgraphs are served to the gateway only: the hop token is missing'));
    },
    // The token is bound to the body: parse it, and refuse a body that cannot be read like a bad token.
    (req, res, next) => {
      parseJson(req, res, (error?: unknown) => {
        if (error) void refuse(req, res, new InternalContextError('document', 'The request body could not be read as JSON'));
        else next();
      });
    },
    async (req, res, next) => {
      try {
        const body = (req.body ?? {}) as { query?: unknown; variables?: unknown };
        const bodyHash = Array.isArray(req.body)
          ? ''
          : hopBodyHash(typeof body.query === 'string' ? body.query : null, body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : null);
        const internal = await verifyInternalContext(req.get(INTERNAL_CONTEXT_HEADER), { audience: options.name, bodyHash }, keys.publicKey, replay, now());
        // The gateway may have seen a newer policy first: look for it once before refusing.
        if (!serverFor(internal.policyVersion)) await policies.refresh();
        const server = serverFor(internal.policyVersion);
        if (!server) {
          throw new InternalContextError('policy-version', `The gateway runs policy version ${internal.policyVersion}, this subgraph ${current.policy.version}`);
        }
        res.locals.hop = internal;
        res.locals.versionServer = server;
        next();
      } catch (error) {
        await refuse(req, res, error);
      }
    },
    (req, res, next) => (res.locals.versionServer as VersionServer).handler(req, res, next),
  );

  return {
    app,
    httpServer,
    policies,
    async stop() {
      unregister();
      revokedTokens.stop();
      await policies.stop();
      await changes.stop();
      if (retireTimer) clearTimeout(retireTimer);
      // Stop taking requests, let those in flight finish (10 s at most), then stop the servers.
      if (httpServer.listening) {
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeIdleConnections();
        const timer = setTimeout(() => httpServer.closeAllConnections(), 10_000);
        await closed;
        clearTimeout(timer);
      }
      await Promise.all([current, previous].filter((server): server is VersionServer => server !== null).map((server) => server.apollo.stop()));
      await security.stop();
      await replay.stop?.();
      await writer.stop();
    },
  };
}

/** Creates the subgraph server and listens on `port` (0 = any free port). */
export async function startSubgraphServer(options: SubgraphServerOptions & { port: number; host?: string }): Promise<SubgraphServer> {
  const server = await createSubgraphServer(options);
  await new Promise<void>((resolve, reject) => {
    server.httpServer.once('error', reject);
    server.httpServer.listen(options.port, options.host ?? options.config.HOST, () => resolve());
  });
  const address = server.httpServer.address() as AddressInfo;
  const host = address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { name: options.name, url: `http://${host}:${address.port}/graphql`, httpServer: server.httpServer, policies: server.policies, stop: () => server.stop() };
}
