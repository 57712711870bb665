// The HTTP gateway: Apollo Server 5 on `/graphql` (its own entry, graphql-entry.ts), express 5 on
// every other route. Wiring only; what decides access, what is audited and how principals are
// authenticated come in as components (see components.ts).
import { createServer, type RequestListener, type Server } from 'node:http';
import { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin, type HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { unwrapResolverError } from '@apollo/server/errors';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { RequestContext } from '../context';
import { ErrorCode } from '../errors';
import { decide, type DecisionField } from '../policy/decide';
import type { Policy } from '../policy/policy';
import { Category, Sensitivity } from '../policy/taxonomy';
import { graphiqlRouter, PLACEHOLDER_HEADERS } from './graphiql/graphiql';
import { logger } from '../logger';
import { isUnavailableError, UNAVAILABLE_MESSAGE } from '../unavailable';
import { readinessHandler } from './readiness';
import { createMetrics, observedAnswerOf, type AuditWriterGauge, type GatewayMetrics } from './metrics';
import { requestIdMiddleware } from '../request-id';
import { answerUnhandled, graphqlEntry, isGraphqlPath, type GraphqlRequestCheck, type HttpRefusal } from './graphql-entry';
import type { NodeHandler } from './node-handler';
import type { Admission } from '../admission/admission';
import { admittedRoute, routeRefusal, unservedAdmittedPath } from '../admission/http-admission';
import type { Authenticate } from '../auth/authenticate';

/** The gateway's Prometheus metrics, as the decision sees them: operational system logs. */
export const METRICS_FIELD: DecisionField = { coordinate: 'Gateway.metrics', category: Category.SYSTEM_LOGS, sensitivity: Sensitivity.INTERNAL };

/** GraphQL answers are never cached by browsers or proxies, unless the answer says otherwise. */
function noStore(headers: HeaderMap): void {
  if (!headers.has('cache-control')) headers.set('cache-control', 'no-store');
}

/**
 * The gateway's own per-request plugin, one instead of two: GraphQL answers are never cached by
 * browsers or proxies (`Cache-Control: no-store`), and each answer is counted in the metrics.
 */
function gatewayRequestPlugin(metrics: GatewayMetrics): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart(requestContext) {
      const started = process.hrtime.bigint();
      // Apollo Server executes each operation without a plan with `{ ...requestContext, useLegacyIncremental }`.
      // With the key already present the copy only overrides it: on Node 20 a spread copy that
      // gains a key is promoted to the old generation with everything it refers to (the request,
      // its context, the answer), one that overrides a key is not (see `copyWith` in
      // src/context.ts; docs/benchmarks.md). Apollo sets the value itself; nothing reads this one.
      (requestContext as unknown as { useLegacyIncremental?: boolean }).useLegacyIncremental = false;
      return {
        async willSendResponse(request) {
          noStore(request.response.http.headers);
          metrics.observe(observedAnswerOf(request), started);
        },
      };
    },
  };
}

export interface GatewayComponents {
  schema: GraphQLSchema;
  /** Admits every request (src/admission): the request context of every entry point comes from here. */
  admission: Admission;
  authenticate: Authenticate;
  /** Apollo plugins that run before the gateway's own (audit first, then governance). */
  plugins: ApolloServerPlugin<RequestContext>[];
  /** Records a request refused before GraphQL (the audit log keeps those too). */
  onHttpRefusal?: (refusal: HttpRefusal) => Promise<void>;
  /** Middleware run on every request after the request id (e.g. the API call log), `/graphql` included. */
  middleware?: NodeHandler[];
  /** Extra routes (e.g. imports, exports), served by Express (never `/graphql`): no middleware for every request here, see `middleware`. */
  routes?: express.Router[];
  /** Redis behind its circuit breaker (REDIS_URL): its state in /metrics. */
  redisBreaker?: import('../security/redis-breaker').RedisBreaker | null;
  /** The audit writer of this process: how long it has made no progress (/readyz), its batches (/metrics). */
  auditWriter?: AuditWriterGauge;
  /** Releases what the components hold (writers, timers); called by `stop()`. */
  stop?: () => Promise<void>;
  /** Planned answers of documents Apollo Server has validated, without its pipeline (src/admission/known-operations.ts). */
  knownOperations?: import('../admission/known-operations').KnownOperations | null;
  /** Checks of a `/graphql` request after its body is parsed (e.g. batch and document size limits). */
  graphqlChecks?: GraphqlRequestCheck[];
  /** Apollo settings the components own (parse limits, persisted-query cache). */
  apolloOptions?: Pick<ApolloServerOptions<RequestContext>, 'parseOptions' | 'persistedQueries'>;
  /** Express `trust proxy` (source addresses and TLS behind a proxy). */
  trustProxy?: boolean | number | string;
  /** Creates the server (e.g. HTTPS) for the request listener; null or absent: plain HTTP. */
  createServer?: (listener: RequestListener) => Server | null;
  /** Checked before listening (e.g. no plain HTTP on a public address in production). */
  beforeListen?: (host: string) => void;
  /** State changes shared with the other gateway processes (subscribe to reload, publish after a change). */
  changes?: import('./change-feed').ChangeFeed;
  /** The process's policy holder: each request context starts with the policy in force. */
  policies?: import('../policy/policy-holder').PolicyHolder;
  /**
   * Apollo's schema through the gateway interface instead of `schema`: the governed schema of the
   * policy in force (swapped at runtime), or @apollo/gateway in federated mode (src/federation).
   */
  apolloGateway?: import('@apollo/server-gateway-interface').GatewayInterface;
}

export interface GatewayOptions {
  dataSource: DataSource;
  config: Config;
  policy: Policy;
  components: GatewayComponents;
  now?: () => Date;
  /** Pre-fills GraphiQL's header editor (demo mode). */
  graphiqlHeaders?: () => Record<string, string>;
}

export interface Gateway {
  app: express.Express;
  httpServer: Server;
  apollo: ApolloServer<RequestContext>;
  stop(): Promise<void>;
}

/** Keeps the messages of errors the gateway raises on purpose; hides everything else. */
export function formatGatewayError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  // A database connection that died, a timeout, a pool that could not serve: an honest 503 (the
  // admission plugin withholds the whole answer), never an internal error or a wrong-input one.
  if (isUnavailableError(original)) {
    // A refusal raised on purpose (`unavailable(reason, message)`: credentials that could not be
    // checked, a deadline passed) keeps its own message and reason; any other failure gets the
    // neutral one.
    if (original instanceof GraphQLError && original.extensions?.code === ErrorCode.UNAVAILABLE) {
      const reason = original.extensions.reason;
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.UNAVAILABLE, ...(typeof reason === 'string' ? { reason } : {}) } };
    }
    if (!(original instanceof GraphQLError)) logger().warn({ err: original }, 'request not served: database unavailable');
    return { message: UNAVAILABLE_MESSAGE, locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.UNAVAILABLE } };
  }
  const code = formatted.extensions?.code;
  const deliberate = original instanceof GraphQLError && code !== ErrorCode.INTERNAL_SERVER_ERROR;
  const raisedByGraphQL = code !== undefined && code !== ErrorCode.INTERNAL_SERVER_ERROR;
  if (deliberate || raisedByGraphQL || (original instanceof GraphQLError && original.extensions?.code)) {
    const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  logger().error({ err: original }, 'unexpected error while serving a request');
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}

export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { dataSource, config, policy, components } = options;
  const now = options.now ?? (() => new Date());
  const metrics = createMetrics({ policy: components.policies, redis: components.redisBreaker ?? undefined, audit: components.auditWriter });
  const app = express();
  // `/graphql` has its own entry (src/server/graphql-entry.ts); Express serves every other route.
  let graphql: RequestListener | null = null;
  const listener: RequestListener = (req, res) => (graphql && isGraphqlPath(req.url) ? graphql(req, res) : app(req, res));
  const httpServer = components.createServer?.(listener) ?? createServer(listener);
  app.disable('x-powered-by');
  // No ETag on answers: GraphQL and API answers are `no-store` (never revalidated), and Express
  // would hash every body (a settlements answer is ~100 KB) to compute one.
  app.set('etag', false);
  if (components.trustProxy !== undefined) app.set('trust proxy', components.trustProxy);
  app.use(requestIdMiddleware());
  for (const handler of components.middleware ?? []) app.use(handler);

  const apollo = new ApolloServer<RequestContext>({
    ...((components.apolloGateway ? { gateway: components.apolloGateway } : { schema: components.schema }) as { schema: GraphQLSchema }),
    plugins: [
      ...components.plugins,
      gatewayRequestPlugin(metrics),
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No field carries a cache hint, so Apollo's cache-control plugin (on by default) could only
      // ever answer `Cache-Control: no-store`, at the price of a hook on every field of every
      // request. The header is set here instead.
      ApolloServerPluginCacheControlDisabled(),
    ],
    formatError: formatGatewayError,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: true,
    // X-Purpose is a non-simple header (it forces a CORS preflight), so it also proves a request is no CSRF.
    csrfPrevention: { requestHeaders: ['x-purpose', 'x-apollo-operation-name', 'apollo-require-preflight'] },
    introspection: true,
    ...components.apolloOptions,
  });
  await apollo.start();

  graphql = graphqlEntry({
    apollo,
    admission: components.admission,
    bodyLimit: config.BODY_LIMIT,
    middleware: components.middleware ?? [],
    checks: components.graphqlChecks ?? [],
    onHttpRefusal: components.onHttpRefusal,
    trustProxy: app.get('trust proxy fn') as (address: string, hop: number) => boolean,
    knownOperations: components.knownOperations,
    // As the gateway's request plugin does for Apollo Server's answers.
    onKnownAnswer: (answer, started) => {
      noStore(answer.headers);
      metrics.observe({ operationName: answer.operationName, contextValue: answer.ctx, result: answer.result }, started);
    },
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  const { auditWriter } = components;
  app.get('/readyz', readinessHandler(dataSource, {}, { timeoutMs: config.READY_TIMEOUT_MS, auditStalledMs: auditWriter ? () => auditWriter.stalledMs() : undefined }));
  // Prometheus metrics are system logs: read by a principal whose grant allows them (e.g. a
  // token bound to TROUBLESHOOTING), admitted and recorded like every other read.
  app.get(
    '/metrics',
    admittedRoute(components.admission, { entry: 'metrics', operation: 'GET /metrics', needsPurpose: true }, async (ctx) => {
      const decision = decide(ctx.policy, ctx.principal, ctx.purpose, METRICS_FIELD);
      if (decision.effect !== 'allow') throw routeRefusal(403, ErrorCode.FORBIDDEN, `${METRICS_FIELD.coordinate} is not available: ${decision.reason}`);
      const text = await metrics.registry.metrics();
      return { status: 200, facts: { fields: [METRICS_FIELD.coordinate], categories: [METRICS_FIELD.category] }, send: (res) => res.type(metrics.registry.contentType).send(text) };
    }),
  );
  app.use(graphiqlRouter(options.graphiqlHeaders ?? (() => ({ ...PLACEHOLDER_HEADERS }))));
  for (const router of components.routes ?? []) app.use(router);

  // An unknown path or a wrong method under an admitted route (/metrics, /imports, /exports,
  // /data-deletion): refused through admission (rate limits) and recorded, like the route itself.
  app.use(unservedAdmittedPath(components.admission));
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found', endpoints: ['/graphql', '/graphiql', '/console', '/data-deletion', '/healthz', '/readyz', '/metrics'] });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    answerUnhandled(res, res.locals.requestId, error);
  });

  return {
    app,
    httpServer,
    apollo,
    async stop() {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await components.stop?.();
    },
  };
}

/** Creates the gateway and listens on `port` (0 = any free port). */
export async function startGateway(options: GatewayOptions & { port: number; host?: string }): Promise<Gateway & { url: string }> {
  options.components.beforeListen?.(options.host ?? options.config.HOST);
  const gateway = await createGateway(options);
  await new Promise<void>((resolve, reject) => {
    gateway.httpServer.once('error', reject);
    gateway.httpServer.listen(options.port, options.host ?? options.config.HOST, () => resolve());
  });
  const address = gateway.httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const shownHost = host === '0.0.0.0' || host === '[::]' ? 'localhost' : host;
  const scheme = gateway.httpServer instanceof HttpsServer ? 'https' : 'http';
  return { ...gateway, url: `${scheme}://${shownHost}:${address.port}` };
}
