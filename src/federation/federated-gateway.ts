// `serve --gateway`: the same gateway (authentication, audit, security, governance plugins: one
// audit record per client operation) in front of the subgraphs instead of an in-process schema.
// Each subgraph fetch carries its own hop token (src/federation/internal-context.ts: Ed25519,
// audience = the subgraph, bound to the document and variables sent, seconds-long, single-use);
// what the subgraphs masked and denied
// comes back in their responses and is merged into the request's governance record, so the
// client sees the same `extensions.governance` as from the single process.
import {
  ApolloGateway,
  IntrospectAndCompose,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from '@apollo/gateway';
import type { GatewayGraphQLResponse, GatewayInterface } from '@apollo/server-gateway-interface';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Fetcher } from '@apollo/utils.fetcher';
import type { KeyObject } from 'node:crypto';
import {
  getLocation,
  Kind,
  parse,
  type DocumentNode,
  type FieldNode,
  type GraphQLFormattedError,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type SourceLocation,
} from 'graphql';
import type { RequestContext } from '../context';
import { resolvePseudonymKey } from '../policy/masks';
import type { Category } from '../policy/taxonomy';
import { limitsFromConfig } from '../security/limits';
import { documentHash, PersistedOperationRegistry } from '../security/persisted-operations';
import { assertCoprocessorHostAllowed, startCoprocessorServer, type CoprocessorServer } from './coprocessor';
import { createComponents, type ComponentOptions } from '../server/components';
import type { GatewayComponents } from '../server/gateway';
import { buildGatewaySchema } from '../server/schema';
import type { SubgraphEndpoint } from './compose';
import { ExportingGateway, ExportSchemas } from './federated-exports';
import { HiveGateway } from './hive-engine';
import { hopBodyHash, INTERNAL_CONTEXT_HEADER, signInternalContext, type FederationKeys } from './internal-context';
import { SUBGRAPH_GOVERNANCE_EXTENSION, type SubgraphGovernance } from './subgraph-server';
import { copyClassifications } from './subgraphs';

export interface FederatedOptions extends ComponentOptions {
  /** The gateway's signing key (FEDERATION_SIGNING_KEY) mints the hop tokens. */
  keys: FederationKeys;
  /** Subgraph URLs (SDL fetched from each, composed at start), or ... */
  subgraphs?: SubgraphEndpoint[];
  /** ... a composed supergraph SDL (`sellergate compose`). */
  supergraphSdl?: string;
  /** What plans and executes operations over the subgraphs: @apollo/gateway or Hive Gateway's runtime (default: FEDERATION_ENGINE). */
  engine?: FederationEngine;
}

/** The federated gateway's components; with FEDERATION_COPROCESSOR=1, the coprocessor listener's URL. */
export interface FederatedComponents extends GatewayComponents {
  /** The router's `coprocessor.url` (its own listener, never the public port); absent without FEDERATION_COPROCESSOR=1. */
  coprocessorUrl?: string;
}

export const FEDERATION_ENGINES = ['apollo', 'hive'] as const;
export type FederationEngine = (typeof FEDERATION_ENGINES)[number];

function isRequestContext(value: unknown): value is RequestContext {
  return typeof value === 'object' && value !== null && 'governance' in value && 'requestId' in value;
}

// Subgraph fetches: Node's fetch (undici, keep-alive; it stops reusing an idle connection before
// the `Keep-Alive: timeout=` the subgraph announces). A subgraph may still close an idle
// connection just as the gateway sends on it (clocks, a busy event loop): the request then fails
// with the connection reset before any answer (`socket hang up`, `other side closed`). A query
// is sent once more, on a new connection: the subgraph never read it, so its hop token is unused.
// A mutation is never sent twice.
const CONNECTION_RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function connectionReset(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; cause && depth < 4; cause = (cause as { cause?: unknown }).cause, depth += 1) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_RESET.has(code)) return true;
    if (/socket hang up|other side closed/i.test(String((cause as { message?: unknown }).message ?? ''))) return true;
  }
  return false;
}

function isQueryBody(body: unknown): boolean {
  if (typeof body !== 'string') return false;
  try {
    const { query } = JSON.parse(body) as { query?: unknown };
    if (typeof query !== 'string') return false;
    const document = parse(query);
    return document.definitions.every((definition) => definition.kind !== Kind.OPERATION_DEFINITION || definition.operation === 'query');
  } catch {
    return false;
  }
}

export const subgraphFetcher: Fetcher = async (url, init) => {
  const send = globalThis.fetch as unknown as Fetcher;
  try {
    return await send(url, init);
  } catch (error) {
    if (connectionReset(error) && isQueryBody(init?.body)) return send(url, init);
    throw error;
  }
};

/** Subgraph data source: mints a hop token for each request on the way out, merges governance on the way back. */
export class GovernedDataSource extends RemoteGraphQLDataSource<Record<string, unknown>> {
  constructor(
    /** The subgraph's name: the audience of its hop tokens. */
    private readonly subgraph: string,
    url: string,
    private readonly signingKey: KeyObject,
    private readonly ttlSeconds: number,
    /** The policy in force (for schema loading; a client operation signs its own request's version). */
    private readonly policyVersion: () => string,
    private readonly now: () => Date,
  ) {
    super({ url, fetcher: subgraphFetcher });
  }

  override async willSendRequest(options: GraphQLDataSourceProcessOptions<Record<string, unknown>>): Promise<void> {
    const incoming = options.kind === 'incoming operation' ? options.incomingRequestContext : null;
    const ctx = incoming && isRequestContext(options.context) ? options.context : null;
    const headers = await hopHeaders({
      subgraph: this.subgraph,
      query: options.request.query,
      variables: options.request.variables,
      ctx,
      clientDocumentHash: incoming?.queryHash || (incoming?.source ? documentHash(incoming.source) : null),
      signingKey: this.signingKey,
      ttlSeconds: this.ttlSeconds,
      policyVersion: this.policyVersion,
      now: this.now,
    });
    for (const [name, value] of Object.entries(headers)) options.request.http?.headers.set(name, value);
  }

  override async didReceiveResponse({ response, context }: { response: GatewayGraphQLResponse; context: Record<string, unknown> }): Promise<GatewayGraphQLResponse> {
    if (isRequestContext(context)) mergeSubgraphGovernance(context, response.extensions?.[SUBGRAPH_GOVERNANCE_EXTENSION]);
    return response;
  }
}

/**
 * The headers of one subgraph request, whatever the engine: its hop token (audience = the
 * subgraph, bound to the exact query and variables sent, the caller's principal, purpose and
 * policy version; none for the gateway's own schema loading) and the request id.
 */
export async function hopHeaders(options: {
  subgraph: string;
  query: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
  /** The client operation's context; null when the gateway loads a subgraph's schema. */
  ctx: RequestContext | null;
  clientDocumentHash: string | null;
  signingKey: KeyObject;
  ttlSeconds: number;
  /** The policy in force (for schema loading; a client operation signs its own request's version). */
  policyVersion: () => string;
  now: () => Date;
}): Promise<Record<string, string>> {
  const { ctx } = options;
  const token = await signInternalContext(
    {
      requestId: ctx?.requestId ?? 'gateway-schema-load',
      principal: ctx?.principal ?? null,
      purpose: ctx?.purpose ?? null,
      policyVersion: ctx?.policy?.version ?? options.policyVersion(),
      // What persisted operations are registered by: the SHA-256 of the client's document.
      clientDocumentHash: ctx ? options.clientDocumentHash : null,
    },
    { audience: options.subgraph, bodyHash: hopBodyHash(options.query, options.variables) },
    options.signingKey,
    options.now(),
    options.ttlSeconds,
  );
  return ctx ? { [INTERNAL_CONTEXT_HEADER]: token, 'x-request-id': ctx.requestId } : { [INTERNAL_CONTEXT_HEADER]: token };
}

/**
 * What a subgraph reported it masked, denied and counted, into the client operation's governance
 * record. `selected` (the client operation's coordinates) leaves out what the engine asked for on
 * its own: Hive Gateway adds entity keys to subgraph fetches the client did not select (a masked
 * `SellerAccount.sellerId`, say), which the client never sees; the subgraph's own record keeps them.
 */
export function mergeSubgraphGovernance(ctx: RequestContext, reported: unknown, selected?: ReadonlySet<string>): void {
  if (!reported || typeof reported !== 'object') return;
  const { masked, denied, rowsByCategory, suppressedGroups } = reported as Partial<SubgraphGovernance>;
  const governance = ctx.governance;
  const shown = (coordinate: string) => !selected || selected.has(coordinate);
  for (const coordinate of masked ?? []) if (shown(coordinate)) governance.masked.add(coordinate);
  for (const coordinate of denied ?? []) if (shown(coordinate)) governance.denied.add(coordinate);
  for (const [category, rows] of Object.entries(rowsByCategory ?? {})) governance.countRows(category as Category, rows);
  governance.suppressedGroups += suppressedGroups ?? 0;
}

/**
 * The gateway's components in federated mode: the usual ones (exports' download route and expiry
 * sweep included), with @apollo/gateway as the executor and `createExport` resolved at the gateway.
 * With FEDERATION_COPROCESSOR=1 the coprocessor's listener is started here and closed by `stop()`.
 */
export async function createFederatedComponents(options: FederatedOptions): Promise<FederatedComponents> {
  if (!options.subgraphs?.length && !options.supergraphSdl) throw new Error('The federated gateway needs subgraph URLs or a supergraph SDL');
  const now = options.now ?? (() => new Date());
  const signingKey = options.keys.signingKey;
  if (!signingKey) throw new Error('The federated gateway needs FEDERATION_SIGNING_KEY (the Ed25519 private key the subgraphs hold the public key of)');
  const coprocessing = options.config.FEDERATION_COPROCESSOR === '1';
  if (coprocessing) assertCoprocessorHostAllowed(options.config, options.config.FEDERATION_COPROCESSOR_HOST);
  const components = await createComponents(options);
  // @apollo/gateway executes here: the in-process governed schema is not served, nor rebuilt when
  // the policy changes (the subgraphs rebuild theirs).
  await components.apolloGateway?.stop();
  const classified = await buildGatewaySchema();
  const policyVersion = () => components.policies?.current().version ?? options.policy.version;
  const ttlSeconds = options.config.FEDERATION_HOP_TTL_SECONDS;
  let gateway: GatewayInterface;
  if ((options.engine ?? options.config.FEDERATION_ENGINE) === 'hive') {
    gateway = new HiveGateway({
      supergraph: options.supergraphSdl ?? options.subgraphs!,
      mint: (subgraph, query, variables, ctx, clientDocumentHash) => hopHeaders({ subgraph, query, variables, ctx, clientDocumentHash, signingKey, ttlSeconds, policyVersion, now }),
      merge: mergeSubgraphGovernance,
      fetch: (url, init) => subgraphFetcher(url, init as never) as unknown as Promise<Response>,
    });
  } else {
    gateway = new ApolloGateway({
      ...(options.supergraphSdl
        ? { supergraphSdl: options.supergraphSdl }
        : { supergraphSdl: new IntrospectAndCompose({ subgraphs: options.subgraphs!.map(({ name, url }) => ({ name, url })) }) }),
      buildService: ({ name, url }) => new GovernedDataSource(name, url!, signingKey, ttlSeconds, policyVersion, now),
    });
  }
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => copyClassifications(classified, apiSchema));
  // createExport is resolved here, its query run through this gateway (src/federation/federated-exports.ts);
  // the download route and the expiry sweep come with the components, on this gateway's DataSource.
  const exporting = new ExportingGateway(gateway, await ExportSchemas.build(resolvePseudonymKey(options.config)));
  // Behind Apollo Router: this process as its coprocessor (authenticates at the router stage, mints
  // the hop tokens at the subgraph stage, records the client operation at the response stage), on
  // its own listener: whoever can post to it mints hop tokens, so never on the public port's routes.
  let coprocessor: CoprocessorServer | null = null;
  if (coprocessing && components.admission) {
    const registry = new PersistedOperationRegistry(options.dataSource, options.config.SUSPENSION_CACHE_MS);
    try {
      coprocessor = await startCoprocessorServer({
        host: options.config.FEDERATION_COPROCESSOR_HOST,
        port: options.config.FEDERATION_COPROCESSOR_PORT,
        dataSource: options.dataSource,
        admission: components.admission,
        keys: options.keys,
        schema: classified,
        hopTtlSeconds: options.config.FEDERATION_HOP_TTL_SECONDS,
        now,
        checks: {
          limits: limitsFromConfig(options.config),
          mayIntrospect: (principal, policy) => Boolean(principal && policy.roles[principal.role]?.introspection && !principal.partner),
          isPersisted: ['1', 'true'].includes(options.config.PARTNER_PERSISTED_ONLY) ? (principal, hash) => registry.isRegistered(principal.id, hash) : null,
          // Hops carry one purpose: per-root purposes (`@purpose`) are refused here.
          rootPurposes: false,
        },
      });
    } catch (error) {
      // The port taken, say: release what the components hold before failing the start.
      await components.stop?.().catch(() => undefined);
      throw error;
    }
  }
  const listening = coprocessor;
  return {
    ...components,
    plugins: [...components.plugins, subgraphErrorsPlugin()],
    apolloGateway: exporting,
    // No plan runs here (the subgraphs read the data), so nothing is answered outside Apollo Server.
    knownOperations: null,
    ...(listening
      ? {
          coprocessorUrl: listening.url,
          async stop() {
            await listening.stop();
            await components.stop?.();
          },
        }
      : {}),
  };
}

/** The field node a response path points at in the client's operation (fragments followed). */
function fieldAt(document: DocumentNode, operation: OperationDefinitionNode, path: readonly (string | number)[]): FieldNode | null {
  const fragments = new Map(document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [])));
  const find = (selectionSet: SelectionSetNode, key: string): FieldNode | null => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD && (selection.alias ?? selection.name).value === key) return selection;
      const nested =
        selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value)?.selectionSet : undefined;
      const found = nested ? find(nested, key) : null;
      if (found) return found;
    }
    return null;
  };
  let field: FieldNode | null = null;
  let selectionSet: SelectionSetNode | undefined = operation.selectionSet;
  for (const segment of path) {
    if (typeof segment === 'number') continue;
    if (!selectionSet) return null;
    field = find(selectionSet, segment);
    if (!field) return null;
    selectionSet = field.selectionSet;
  }
  return field;
}

/**
 * Subgraph errors as the single process words them: without the gateway's `serviceName`, with
 * `locations` in the client's document (the gateway drops the subgraph's, which point into the
 * query plan's fetch, not into what the client sent).
 */
export function subgraphErrorsPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, document, operation, source }) {
          const body = response.body;
          if (body.kind !== 'single' || !body.singleResult.errors) return;
          body.singleResult.errors = body.singleResult.errors.map((error): GraphQLFormattedError => {
            if (error.extensions?.serviceName === undefined) return error;
            const { serviceName: _serviceName, ...extensions } = error.extensions;
            let locations: SourceLocation[] | undefined = error.locations ? [...error.locations] : undefined;
            if (!locations && error.path && document && operation && source) {
              const field = fieldAt(document, operation, error.path);
              if (field?.loc) locations = [getLocation(field.loc.source, field.loc.start)];
            }
            const { message, path } = error;
            return { message, ...(locations ? { locations } : {}), ...(path ? { path } : {}), extensions };
          });
        },
      };
    },
  };
}
