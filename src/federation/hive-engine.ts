// The Hive Gateway engine of `serve --gateway --engine hive`: @graphql-hive/gateway-runtime plans
// and executes the client operation over the subgraphs, behind the same Apollo Server front as the
// @apollo/gateway engine (so admission, audit, governance, GraphiQL, /healthz, /metrics are the
// same code): Apollo Server admits the operation (src/admission), then hands it to this engine's
// executor instead of @apollo/gateway's. Each subgraph request gets its hop token in the runtime's
// `onFetch` hook (minted for the exact body Hive sends), and what each subgraph reports it masked,
// denied and counted is merged into the request's governance record in `onSubgraphExecute`.
import type {
  GatewayExecutor,
  GatewayGraphQLRequestContext,
  GatewayInterface,
  GatewayLoadResult,
  GatewaySchemaLoadOrUpdateCallback,
  GatewayUnsubscriber,
} from '@apollo/server-gateway-interface';
import { GraphQLError, parse, type GraphQLSchema } from 'graphql';
import type { RequestContext } from '../context';
import { operationFacts } from '../admission/operation-facts';
import { ErrorCode } from '../errors';
import { logger } from '../logger';
import { documentHash } from '../security/persisted-operations';
import type { SubgraphEndpoint } from './compose';
import { CompositionError } from './compose';
import { SUBGRAPH_GOVERNANCE_EXTENSION } from './subgraph-server';

// The runtime's own type declarations are not imported: graphql-yoga's augment `graphql`'s error
// extensions and pull in DOM types, which would retype the rest of the project. The few parts used
// here are declared below (see @graphql-hive/gateway-runtime's `GatewayPlugin`, `GatewayRuntime`).
interface HiveFetchPayload {
  url: string;
  options: { body?: unknown; headers?: unknown; [key: string]: unknown };
  setOptions(options: Record<string, unknown>): void;
  setFetchFn(fetchFn: (url: string, init?: RequestInit) => Promise<Response>): void;
  executionRequest?: { subgraphName?: string };
  context?: unknown;
}
interface HiveSubgraphExecutePayload {
  executionRequest: { context?: unknown };
}
interface HivePlugin {
  onFetch(payload: HiveFetchPayload): Promise<void>;
  onSubgraphExecute(payload: HiveSubgraphExecutePayload): void | ((done: { result: unknown }) => void);
}
interface HiveRuntime {
  fetch(url: string, init: RequestInit, serverContext: Record<string, unknown>): Promise<Response>;
  getSchema(): GraphQLSchema | Promise<GraphQLSchema>;
  dispose(): Promise<void> | void;
}
// Loaded when the engine starts, not when the CLI does (every other command and process skips it).
function hiveRuntime(): { createGatewayRuntime(config: { supergraph: string; logging: boolean; graphiql: boolean; landingPage: boolean; maskedErrors: boolean; plugins: () => HivePlugin[] }): HiveRuntime } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@graphql-hive/gateway-runtime');
}

/** Where the client operation's context travels inside the runtime's own context. */
const CONTEXT_KEY = 'sellergate';

type HopMinter = (subgraph: string, query: string | null | undefined, variables: Record<string, unknown> | null | undefined, ctx: RequestContext | null, clientDocumentHash: string | null) => Promise<Record<string, string>>;

export interface HiveEngineOptions {
  /** A composed supergraph SDL, or the subgraphs whose SDL is fetched and composed (by Hive's composition) at start. */
  supergraph: string | SubgraphEndpoint[];
  /** The headers of one subgraph request (hop token, request id): `hopHeaders` of the federated gateway. */
  mint: HopMinter;
  /** Merges a subgraph's reported governance into the client operation's record. */
  merge: (ctx: RequestContext, reported: unknown, selected: ReadonlySet<string>) => void;
  /** Subgraph fetches (keep-alive, one resend of a query on a connection reset). */
  fetch: (url: string, init?: RequestInit) => Promise<Response>;
}

interface HiveContext {
  [CONTEXT_KEY]?: { ctx: RequestContext; clientDocumentHash: string | null; selected: ReadonlySet<string> };
}

function headerRecord(headers: unknown): Record<string, string> {
  if (!headers) return {};
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    const record: Record<string, string> = {};
    (headers as Headers).forEach((value, name) => (record[name] = value));
    return record;
  }
  if (Array.isArray(headers)) return Object.fromEntries(headers as [string, string][]);
  return { ...(headers as Record<string, string>) };
}

/** Hive's own codes for a subgraph it could not get an answer from (the message names the subgraph's URL). */
const TRANSPORT_CODES = new Set(['SUBREQUEST_HTTP_ERROR', 'DOWNSTREAM_SERVICE_ERROR']);

/**
 * An error of Hive's answer as the client may see it. The subgraphs' own errors (a code, the
 * client's path) pass as they are. Hive's transport errors (a subgraph unreachable or answering
 * garbage) carry the subgraph's URL in the message and the request sent to it (document and
 * variables) in `extensions.request`: logged without the request, answered as an internal error.
 */
function clientError(error: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }): GraphQLError {
  const { request: _request, ...extensions } = error.extensions ?? {};
  const code = extensions.code;
  if (typeof code !== 'string' || TRANSPORT_CODES.has(code)) {
    logger().error({ message: error.message, code, subgraph: extensions.serviceName, path: error.path }, 'federated gateway (hive): a subgraph request failed');
    return new GraphQLError('Internal server error', { path: error.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } });
  }
  return new GraphQLError(error.message, { path: error.path, extensions });
}

/** Fetches each subgraph's SDL (`_service { sdl }`, with a hop token without principal) and composes them with Hive's composition. */
export async function composeFromSubgraphs(endpoints: SubgraphEndpoint[], mint: HopMinter, send: HiveEngineOptions['fetch']): Promise<string> {
  const query = 'query __ApolloGetServiceDefinition__ { _service { sdl } }';
  const services = await Promise.all(
    endpoints.map(async ({ name, url }) => {
      const headers = await mint(name, query, null, null, null);
      const response = await send(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
      const body = (await response.json()) as { data?: { _service?: { sdl?: string } }; errors?: { message: string }[] };
      const sdl = body.data?._service?.sdl;
      if (!response.ok || !sdl) throw new Error(`Subgraph ${name} (${url}) did not give its SDL: HTTP ${response.status} ${body.errors?.map((error) => error.message).join('; ') ?? ''}`);
      return { name, url, typeDefs: parse(sdl) };
    }),
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { composeServices } = require('@theguild/federation-composition') as typeof import('@theguild/federation-composition');
  const result = composeServices(services);
  if (result.errors) throw new CompositionError(result.errors.map((error) => error.message));
  return result.supergraphSdl;
}

/** Hive Gateway's runtime as Apollo Server's gateway: the schema it serves and an executor running operations on it. */
export class HiveGateway implements GatewayInterface {
  private readonly callbacks = new Set<GatewaySchemaLoadOrUpdateCallback>();
  private runtime: HiveRuntime | null = null;

  constructor(private readonly options: HiveEngineOptions) {}

  onSchemaLoadOrUpdate(callback: GatewaySchemaLoadOrUpdateCallback): GatewayUnsubscriber {
    this.callbacks.add(callback);
    return () => this.callbacks.delete(callback);
  }

  async load(): Promise<GatewayLoadResult> {
    const { supergraph, mint, merge } = this.options;
    const supergraphSdl = typeof supergraph === 'string' ? supergraph : await composeFromSubgraphs(supergraph, mint, this.options.fetch);
    const send = this.options.fetch;
    const governed: HivePlugin = {
      // Every subgraph request: its hop token, minted for the body as Hive sends it. A request
      // without the client operation's context or a subgraph name is not sent (fail closed).
      onFetch: async ({ url, options, setOptions, setFetchFn, executionRequest, context }) => {
        const carried = (context as HiveContext | undefined)?.[CONTEXT_KEY];
        const subgraph = executionRequest?.subgraphName;
        if (!carried || !subgraph) throw new GraphQLError('Subgraph request outside a client operation', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
        const body = typeof options.body === 'string' ? (JSON.parse(options.body) as { query?: string; variables?: Record<string, unknown> }) : null;
        if (!body) throw new GraphQLError(`Subgraph request to ${url} without a JSON body`, { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
        const headers = await mint(subgraph, body.query, body.variables, carried.ctx, carried.clientDocumentHash);
        setOptions({ ...options, headers: { ...headerRecord(options.headers), ...headers } });
        setFetchFn(send);
      },
      onSubgraphExecute: ({ executionRequest }) => {
        const carried = (executionRequest.context as HiveContext | undefined)?.[CONTEXT_KEY];
        if (!carried) return;
        return ({ result }) => {
          if (result && typeof result === 'object' && !(Symbol.asyncIterator in result)) merge(carried.ctx, (result as { extensions?: Record<string, unknown> }).extensions?.[SUBGRAPH_GOVERNANCE_EXTENSION], carried.selected);
        };
      },
    };
    this.runtime = hiveRuntime().createGatewayRuntime({
      supergraph: supergraphSdl,
      logging: false,
      graphiql: false,
      landingPage: false,
      // Errors are shaped by Apollo Server's front (formatError), as with the other engine.
      maskedErrors: false,
      plugins: () => [governed],
    });
    const apiSchema = (await this.runtime.getSchema()) as GraphQLSchema;
    for (const callback of this.callbacks) callback({ apiSchema, coreSupergraphSdl: supergraphSdl });
    return { executor: this.executor() };
  }

  private executor(): GatewayExecutor {
    return async (requestContext: GatewayGraphQLRequestContext) => {
      const runtime = this.runtime;
      if (!runtime) throw new Error('The Hive Gateway engine is not loaded');
      const ctx = requestContext.context as unknown as RequestContext;
      const clientDocumentHash = requestContext.queryHash || (requestContext.source ? documentHash(requestContext.source) : null);
      const response = await runtime.fetch(
        'http://sellergate.gateway/graphql',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ query: requestContext.source, variables: requestContext.request.variables, operationName: requestContext.request.operationName }),
        },
        { [CONTEXT_KEY]: { ctx, clientDocumentHash, selected: operationFacts(requestContext.schema, requestContext.document, requestContext.operation).objectFields } },
      );
      const result = (await response.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[]; extensions?: Record<string, unknown> };
      return {
        ...(result.data !== undefined ? { data: result.data } : {}),
        ...(result.errors ? { errors: result.errors.map(clientError) } : {}),
      };
    };
  }

  async stop(): Promise<void> {
    const runtime = this.runtime;
    this.runtime = null;
    await runtime?.dispose();
  }
}
