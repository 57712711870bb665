// Apollo Router's coprocessor protocol: sellergate as the router's external coprocessor, so the
// subgraphs stay safe behind a router sellergate does not control. The router POSTs one JSON
// message per stage (`version`, `stage`, `control`, `id`, `headers`, `body`, `context`, and at the
// subgraph stage `serviceName`) and continues with the message the coprocessor returns.
//
//   RouterRequest    the client request: admission (authenticate, suspension, rate limits,
//                    purpose), then the operation's checks against the API schema (limits,
//                    persisted operations, purpose required). Refused: `control: { break: status }`
//                    with the GraphQL error as body, and its audit record. Admitted: a signed
//                    session (Ed25519, audience `sellergate-router-session`) and the operation's
//                    audit facts go into the request's context entries.
//   SubgraphRequest  one subgraph fetch: the session is verified and a hop token minted for that
//                    subgraph and the exact body the router sends it (`X-Sellergate-Hop`).
//   RouterResponse   the answer: the client operation's audit record (outcome and error codes
//                    from the response), linked by the router's request id to the subgraphs' own.
//
// Whoever can post these messages can mint hop tokens for any body at any subgraph (a session
// from a harmless RouterRequest is enough) and skip the client operation's audit record: the
// endpoint (`POST /coprocessor` with FEDERATION_COPROCESSOR=1) is therefore never served on the
// gateway's public port, but on a listener of its own (`startCoprocessorServer`,
// FEDERATION_COPROCESSOR_HOST, default 127.0.0.1, and FEDERATION_COPROCESSOR_PORT, default 4010),
// which must be reachable by the router only (loopback, or a private network); a wildcard or
// public address is refused in production unless FEDERATION_COPROCESSOR_ALLOW_PUBLIC=1.
// The router must send headers, body and context at the router stage and headers, body, context
// and service name at the subgraph stage (docs/deployment.md).
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { BlockList, isIP, type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import express from 'express';
import { getOperationAST, GraphQLError, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Admission } from '../admission/admission';
import { refusalStatus } from '../admission/admission';
import { checkOperation, type OperationCheckOptions } from '../admission/operation-checks';
import { classifyOutcome } from '../audit/audit-outcome';
import { redactVariables } from '../audit/redact';
import { rowScopeOf } from '../auth/principal';
import { LoaderRegistry, newRequestContext } from '../context';
import { replicaReads } from '../db/read-replica';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { ErrorCode } from '../errors';
import { logger } from '../logger';
import { hopBodyHash, INTERNAL_CONTEXT_HEADER, InternalContextError, signInternalContext, verifyInternalContext, type FederationKeys, type ReplayCache } from './internal-context';

export const COPROCESSOR_SESSION_ENTRY = 'sellergate.session';
export const COPROCESSOR_FACTS_ENTRY = 'sellergate.facts';
const SESSION_AUDIENCE = 'sellergate-router-session';
/** A session outlives one client operation's subgraph fetches. */
const SESSION_TTL_SECONDS = 120;

export interface CoprocessorOptions {
  dataSource: DataSource;
  admission: Admission;
  keys: FederationKeys;
  /** The API schema (classified), the operation is checked against. */
  schema: GraphQLSchema;
  checks: OperationCheckOptions;
  hopTtlSeconds: number;
  now?: () => Date;
}

/** One coprocessor message (the fields sellergate reads; every other field is returned as sent). */
export interface CoprocessorMessage {
  version: number;
  stage: string;
  control: unknown;
  id: string;
  headers?: Record<string, string[]>;
  body?: unknown;
  context?: { entries?: Record<string, unknown> } & Record<string, unknown>;
  serviceName?: string;
  [field: string]: unknown;
}

interface AuditFacts {
  operationType: string | null;
  operationName: string | null;
  documentHash: string;
  variables: Record<string, unknown> | null;
  fields: string[];
  categories: string[];
  declaredPurpose: string | null;
  origin: { ip: string | null; userAgent: string | null; clientName: string | null; clientVersion: string | null };
  startedAt: number;
}

/** Sessions are verified at every subgraph fetch of their request: no single-use cache. */
const reusable: ReplayCache = { claim: async () => true };

function headerOf(message: CoprocessorMessage, name: string): string | null {
  for (const [key, values] of Object.entries(message.headers ?? {})) {
    if (key.toLowerCase() === name) return values?.[0] ?? null;
  }
  return null;
}

function breakWith(message: CoprocessorMessage, error: GraphQLError): CoprocessorMessage {
  const { http: _http, ...extensions } = error.extensions ?? {};
  return {
    ...message,
    control: { break: refusalStatus(error) },
    headers: { 'content-type': ['application/json'] },
    body: JSON.stringify({ errors: [{ message: error.message, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...extensions } }] }),
  };
}

export function coprocessorRouter(options: CoprocessorOptions): express.Router {
  const { admission, keys, schema } = options;
  const now = options.now ?? (() => new Date());
  const signingKey = keys.signingKey;
  if (!signingKey) throw new Error('The coprocessor needs FEDERATION_SIGNING_KEY');

  const routerRequest = async (message: CoprocessorMessage): Promise<CoprocessorMessage> => {
    const startedAt = Date.now();
    const origin = {
      // The router passes the client's address on only if configured to (X-Forwarded-For).
      ip: headerOf(message, 'x-forwarded-for')?.split(',')[0]?.trim() || null,
      userAgent: headerOf(message, 'user-agent'),
      clientName: headerOf(message, 'apollographql-client-name'),
      clientVersion: headerOf(message, 'apollographql-client-version'),
    };
    const declaredPurpose = headerOf(message, 'x-purpose');
    const ctx = await admission.admit({ entry: 'graphql', requestId: message.id, authorization: headerOf(message, 'authorization') ?? undefined, origin, declaredPurpose });
    const refuse = async (error: GraphQLError, facts: Partial<AuditFacts> = {}): Promise<CoprocessorMessage> => {
      const code = String(error.extensions?.code ?? ErrorCode.BAD_USER_INPUT);
      await admission.record(ctx, { ...facts, outcome: classifyOutcome({ errorCodes: [code], executed: false, hasData: false, denied: [] }), errorCodes: [code] });
      return breakWith(message, error);
    };
    if (ctx.refusal) return refuse(ctx.refusal);
    let request: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      request = typeof message.body === 'string' ? JSON.parse(message.body) : ((message.body ?? {}) as typeof request);
    } catch {
      return refuse(new GraphQLError('The request body is not JSON', { extensions: { code: ErrorCode.BAD_USER_INPUT } }));
    }
    const query = typeof request.query === 'string' ? request.query : '';
    const variables = request.variables && typeof request.variables === 'object' ? (request.variables as Record<string, unknown>) : undefined;
    const operationName = typeof request.operationName === 'string' ? request.operationName : null;
    const documentHash = createHash('sha256').update(query).digest('hex');
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      return refuse(new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }), { documentHash });
    }
    const invalid = validate(schema, document);
    if (invalid.length > 0) return refuse(new GraphQLError(invalid[0].message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }), { documentHash });
    const operation = getOperationAST(document, operationName);
    if (!operation) return refuse(new GraphQLError('The document names no single operation to run', { extensions: { code: ErrorCode.BAD_USER_INPUT } }), { documentHash });
    let checked;
    try {
      checked = await checkOperation(ctx, { schema, document, operation, operationName, variables, documentHash }, options.checks);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      return refuse(error, { documentHash, operationType: operation.operation, operationName });
    }
    const session = await signInternalContext(
      { requestId: message.id, principal: ctx.principal, purpose: ctx.purpose, policyVersion: ctx.policy.version, clientDocumentHash: documentHash },
      { audience: SESSION_AUDIENCE, bodyHash: '' },
      signingKey,
      now(),
      SESSION_TTL_SECONDS,
    );
    const facts: AuditFacts = {
      operationType: operation.operation,
      operationName: operationName ?? operation.name?.value ?? null,
      documentHash,
      variables: redactVariables(variables, schema, operation),
      fields: [...checked.fields],
      categories: [...checked.categories],
      declaredPurpose,
      origin,
      startedAt,
    };
    const context = message.context ?? {};
    return { ...message, context: { ...context, entries: { ...(context.entries ?? {}), [COPROCESSOR_SESSION_ENTRY]: session, [COPROCESSOR_FACTS_ENTRY]: facts } } };
  };

  const session = (message: CoprocessorMessage) =>
    verifyInternalContext(message.context?.entries?.[COPROCESSOR_SESSION_ENTRY] as string | undefined, { audience: SESSION_AUDIENCE, bodyHash: '' }, keys.publicKey, reusable, now());

  const subgraphRequest = async (message: CoprocessorMessage): Promise<CoprocessorMessage> => {
    let verified;
    try {
      verified = await session(message);
    } catch (error) {
      const reason = error instanceof InternalContextError ? error.reason : 'invalid';
      return breakWith(message, new GraphQLError('The router request has no valid sellergate session', { extensions: { code: ErrorCode.UNAUTHENTICATED, reason, http: { status: 401 } } }));
    }
    const body = (typeof message.body === 'string' ? JSON.parse(message.body) : (message.body ?? {})) as { query?: string; variables?: Record<string, unknown> };
    const token = await signInternalContext(
      verified,
      { audience: String(message.serviceName ?? ''), bodyHash: hopBodyHash(body.query, body.variables) },
      signingKey,
      now(),
      options.hopTtlSeconds,
    );
    return { ...message, headers: { ...(message.headers ?? {}), [INTERNAL_CONTEXT_HEADER]: [token], 'x-request-id': [verified.requestId] } };
  };

  const routerResponse = async (message: CoprocessorMessage): Promise<CoprocessorMessage> => {
    const facts = message.context?.entries?.[COPROCESSOR_FACTS_ENTRY] as AuditFacts | undefined;
    if (!facts) return message; // refused at the router stage: already recorded
    const verified = await session(message);
    let result: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: unknown } }[] } = {};
    try {
      result = typeof message.body === 'string' ? JSON.parse(message.body) : ((message.body ?? {}) as typeof result);
    } catch {
      // not JSON: recorded as an error below
    }
    const errorCodes = (result.errors ?? []).map((error) => String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR));
    const hasData = !!result.data && Object.values(result.data).some((value) => value !== null && value !== undefined);
    const ctx = newRequestContext({
      requestId: verified.requestId,
      entry: 'graphql',
      principal: verified.principal,
      purpose: verified.purpose,
      scope: rowScopeOf(verified.principal),
      db: options.dataSource.manager,
      reads: replicaReads(options.dataSource),
      loaders: new LoaderRegistry(),
      now,
      policy: admission.policy(),
      declaredPurpose: facts.declaredPurpose,
      refusal: null,
      http: facts.origin,
      startedAt: performance.now() - (Date.now() - facts.startedAt),
    });
    const denied = (result.errors ?? []).flatMap((error) => (error.extensions?.code === ErrorCode.FORBIDDEN && typeof (error.extensions as { coordinate?: unknown }).coordinate === 'string' ? [(error.extensions as { coordinate: string }).coordinate] : []));
    await admission.record(ctx, {
      operationType: facts.operationType,
      operationName: facts.operationName,
      documentHash: facts.documentHash,
      variables: facts.variables,
      fields: facts.fields,
      categories: facts.categories,
      denied,
      outcome: classifyOutcome({ errorCodes, executed: true, hasData, denied }),
      errorCodes,
    });
    return message;
  };

  const router = express.Router();
  router.post('/coprocessor', express.json({ limit: '5mb' }), async (req, res) => {
    const message = req.body as CoprocessorMessage;
    // Any failure here fails the client request (the router treats a failed coprocessor call as an error).
    try {
      switch (message?.stage) {
        case 'RouterRequest':
          res.json(await routerRequest(message));
          return;
        case 'SubgraphRequest':
          res.json(await subgraphRequest(message));
          return;
        case 'RouterResponse':
          res.json(await routerResponse(message));
          return;
        default:
          res.json(message);
      }
    } catch {
      res.status(500).json({ error: 'coprocessor failure' });
    }
  });
  return router;
}

/** Loopback and private networks: where the router reaches the coprocessor from. */
const PRIVATE_NETWORKS = new BlockList();
for (const [network, prefix] of [['127.0.0.0', 8], ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10], ['169.254.0.0', 16]] as const) {
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv4');
}
PRIVATE_NETWORKS.addAddress('::1', 'ipv6');
PRIVATE_NETWORKS.addSubnet('fc00::', 7, 'ipv6');
PRIVATE_NETWORKS.addSubnet('fe80::', 10, 'ipv6');

/**
 * What listening on `host` exposes: `wildcard` (every interface), `public` (a routable address),
 * or null (loopback, a private network, or a host name, which is taken as meant).
 */
export function coprocessorExposure(host: string): 'wildcard' | 'public' | null {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const address = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1] ?? bare;
  const family = isIP(address);
  if (family === 0) return null;
  if (family === 4 ? address === '0.0.0.0' : /^[0:]+$/.test(address)) return 'wildcard';
  return PRIVATE_NETWORKS.check(address, family === 4 ? 'ipv4' : 'ipv6') ? null : 'public';
}

/**
 * Start-up rule (like plain HTTP on a public address, src/security/http-hardening.ts): in
 * production the coprocessor listens on a loopback or private address unless
 * FEDERATION_COPROCESSOR_ALLOW_PUBLIC=1; elsewhere, and when allowed, a wildcard or public
 * address is logged as a warning.
 */
export function assertCoprocessorHostAllowed(config: Pick<Config, 'NODE_ENV' | 'FEDERATION_COPROCESSOR_ALLOW_PUBLIC'>, host: string): void {
  const exposure = coprocessorExposure(host);
  if (!exposure) return;
  if (config.NODE_ENV === 'production' && config.FEDERATION_COPROCESSOR_ALLOW_PUBLIC !== '1') {
    throw new Error(
      `Refusing to serve the coprocessor on ${host} (a ${exposure} address) in production: whoever reaches it can mint hop tokens. ` +
        'Bind FEDERATION_COPROCESSOR_HOST to a loopback or private address the router reaches, or set FEDERATION_COPROCESSOR_ALLOW_PUBLIC=1 ' +
        'when a firewall or network policy lets only the router reach FEDERATION_COPROCESSOR_PORT',
    );
  }
  logger().warn({ host, exposure }, 'the coprocessor listens on a wildcard or public address: only the router may reach it (whoever can post to it mints hop tokens)');
}

export interface CoprocessorServer {
  /** The router's `coprocessor.url`: `http://<host>:<port>/coprocessor`. */
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/**
 * The coprocessor on its own listener (never the gateway's public port): `POST /coprocessor`
 * and nothing else. Plain HTTP: it belongs on loopback or the router's private network.
 */
export async function startCoprocessorServer(options: CoprocessorOptions & { host: string; port: number }): Promise<CoprocessorServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(coprocessorRouter(options));
  app.use((_req: express.Request, res: express.Response) => {
    res.status(404).json({ error: 'not found', endpoints: ['POST /coprocessor'] });
  });
  app.use((error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    // A body that is not JSON, or too large (express.json): the message is refused, nothing else said.
    const status = Number((error as { status?: unknown }).status);
    res.status(status >= 400 && status < 500 ? status : 500).json({ error: 'invalid coprocessor message' });
  });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.family === 'IPv6' ? `[${/^[0:]+$/.test(address.address) ? '::1' : address.address}]` : address.address;
  const url = `http://${host}:${address.port}/coprocessor`;
  logger().info({ url }, 'coprocessor listening');
  return {
    url,
    server,
    async stop() {
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
