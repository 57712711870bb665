// One category served as a Federation 2 subgraph. It answers the gateway only: every request
// must carry a valid signed internal context (else 401 UNAUTHENTICATED, audited with the request
// id), and the subgraph enforces field decisions, masking and row scope itself (governSchema over
// the subgraph schema, RequestContext built from the verified context), reporting what it masked
// and denied in `extensions.governance` so the gateway's response and audit record show it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request } from 'express';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import { Admission } from '../admission/admission';
import { operationFacts } from '../admission/operation-facts';
import { AuditWriter } from '../audit/audit.writer';
import { rowScopeOf } from '../auth/principal';
import type { Config } from '../config';
import { LoaderRegistry, newRequestContext, type RequestContext } from '../context';
import { replicaReads } from '../db/read-replica';
import { ErrorCode } from '../errors';
import { governSchema } from '../policy/govern-schema';
import type { Policy } from '../policy/policy';
import { PolicyHolder } from '../policy/policy-holder';
import { createChangeFeed } from '../server/change-feed';
import { formatGatewayError } from '../server/gateway';
import { logger } from '../logger';
import { readinessHandler } from '../server/readiness';
import { requestIdMiddleware } from '../server/request-id';
import { INTERNAL_CONTEXT_HEADER, InternalContextError, verifyInternalContext, type InternalContext } from './internal-context';
import { buildSubgraph, type SubgraphName } from './subgraphs';

export interface SubgraphServerOptions {
  name: SubgraphName;
  dataSource: DataSource;
  config: Config;
  /** The policy when none was applied with `policy apply` (POLICY_FILE or the default). */
  policy: Policy;
  /** FEDERATION_SECRET (same on the gateway). */
  secret: string;
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

function subgraphPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(request) {
          const ctx = request.contextValue;
          if (ctx.principal) return;
          const selected = request.operation && request.document ? operationFacts(request.schema, request.document, request.operation).objectFields : new Set<string>();
          if ([...selected].some((coordinate) => !SCHEMA_LOADING_FIELDS.has(coordinate) && !coordinate.endsWith('.__typename'))) {
            throw refusal('The internal context names no principal: only the subgraph SDL can be read with it');
          }
        },
        async willSendResponse(request) {
          const body = request.response.body;
          if (body?.kind !== 'single') return;
          const ctx = request.contextValue;
          const governance: SubgraphGovernance = {
            masked: [...ctx.governance.masked].sort(),
            denied: [...ctx.governance.denied].sort(),
            rowsByCategory: { ...ctx.governance.rowsByCategory },
            suppressedGroups: ctx.governance.suppressedGroups,
          };
          body.singleResult.extensions = { ...body.singleResult.extensions, [SUBGRAPH_GOVERNANCE_EXTENSION]: governance, policyVersion: ctx.policy.version };
        },
      };
    },
  };
}

function contextOf(req: Request, internal: InternalContext, options: SubgraphServerOptions, policy: Policy, now: () => Date): RequestContext {
  const header = (name: string) => req.get(name) ?? null;
  return newRequestContext({
    requestId: internal.requestId,
    entry: 'subgraph',
    principal: internal.principal,
    purpose: internal.purpose,
    scope: rowScopeOf(internal.principal),
    db: options.dataSource.manager,
    reads: replicaReads(options.dataSource),
    loaders: new LoaderRegistry(),
    now,
    policy,
    declaredPurpose: internal.purpose,
    refusal: null,
    http: { ip: req.ip ?? null, userAgent: header('user-agent'), clientName: header('apollographql-client-name'), clientVersion: header('apollographql-client-version') },
    startedAt: Date.now(),
  });
}

export async function createSubgraphServer(options: SubgraphServerOptions): Promise<{ app: express.Express; httpServer: Server; policies: PolicyHolder; stop(): Promise<void> }> {
  const { dataSource, config, secret } = options;
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
  const writer = new AuditWriter(dataSource, {
    checkpointKey: config.AUDIT_CHECKPOINT_KEY ?? null,
    onError: (error, records) => log.error({ err: error, records }, 'audit records could not be written'),
  });
  // Refusals are recorded through admission; the principal of a served request was admitted by the gateway.
  const admission = new Admission({
    dataSource,
    policies,
    authenticate: async () => null,
    audit: (entry, appendOptions) => writer.append(entry, appendOptions),
    now,
    deadlineMs: config.REQUEST_DEADLINE_MS,
  });
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);

  // One Apollo server per policy version: the one in force, and the one before it for a grace
  // period, so an operation the gateway started under the previous policy finishes under it.
  const serve = async (policy: Policy): Promise<VersionServer> => {
    const apollo = new ApolloServer<RequestContext>({
      schema: governSchema(subgraphSchema, policy),
      plugins: [subgraphPlugin(), ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginLandingPageDisabled()],
      formatError: formatGatewayError,
      includeStacktraceInErrorResponses: false,
      csrfPrevention: true,
      introspection: false,
      // serveSubgraph stops the whole server on SIGINT/SIGTERM; no handlers per policy version.
      stopOnTerminationSignals: false,
    });
    await apollo.start();
    const handler = expressMiddleware(apollo, {
      context: async ({ req, res }) => contextOf(req, res.locals.internalContext as InternalContext, options, policy, now),
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
    res.json({ status: 'ok', subgraph: options.name });
  });
  app.get('/readyz', readinessHandler(dataSource, { subgraph: options.name }, { timeoutMs: config.READY_TIMEOUT_MS, auditStalledMs: () => writer.stalledMs() }));
  app.use(
    '/graphql',
    // Refuse before parsing: an unauthenticated caller learns nothing, not even validation errors.
    async (req, res, next) => {
      const requestId = String(res.locals.requestId);
      try {
        const internal = await verifyInternalContext(req.get(INTERNAL_CONTEXT_HEADER), secret, now());
        // The gateway may have seen a newer policy first: look for it once before refusing.
        if (!serverFor(internal.policyVersion)) await policies.refresh();
        const server = serverFor(internal.policyVersion);
        if (!server) {
          throw new InternalContextError('policy-version', `The gateway runs policy version ${internal.policyVersion}, this subgraph ${current.policy.version}`);
        }
        res.locals.internalContext = internal;
        res.locals.versionServer = server;
        next();
      } catch (error) {
        const message = error instanceof InternalContextError ? error.message : 'The internal context could not be verified';
        const reason = error instanceof InternalContextError ? error.reason : 'invalid';
        try {
          await admission.recordTransportRefusal({ requestId, code: ErrorCode.UNAUTHENTICATED, message, ip: req.ip ?? null, userAgent: req.get('user-agent') ?? null });
        } catch (writeError) {
          log.error({ err: writeError, requestId }, 'could not record a refused subgraph request');
        }
        log.warn({ requestId, reason }, 'subgraph request refused: no valid internal context');
        res.status(401).json({ errors: [{ message, extensions: { code: ErrorCode.UNAUTHENTICATED, reason } }] });
      }
    },
    express.json({ limit: config.BODY_LIMIT }),
    (req, res, next) => (res.locals.versionServer as VersionServer).handler(req, res, next),
  );

  return {
    app,
    httpServer,
    policies,
    async stop() {
      unregister();
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
