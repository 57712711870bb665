// Restricted exports: a query run under the caller's own principal, purpose and policy (the
// governed schema, its shield rules and masks, the operation limits), its rows written to a
// watermarked CSV or JSONL file kept for the same principal only, until it expires.
import { createHash, randomUUID } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import {
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { LessThanOrEqual, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { DataExport } from '../../entities/gateway/data-export.entity';
import { sha256Hex } from '../audit/canonical';
import { recordUserAction } from '../audit/system-logs';
import type { Principal, RowScope } from '../auth/principal';
import { checkOperation } from '../admission/operation-checks';
import { scopeWithin } from '../db/scoped';
import { nestedRequestContext, type GovernanceRecorder, type RequestContext } from '../context';
import { ErrorCode } from '../errors';
import { pseudonym } from '../policy/masks';
import type { Policy } from '../policy/policy';
import type { Category, Purpose } from '../policy/taxonomy';
import { limitExceeded, type OperationLimits } from '../security/limits';
import { EXPORT_CONTENT_TYPES, ExportFileBuilder, rowsOf, type ExportFormat, type ExportWatermark } from './export-file';
import { connectionPaging, takePageInfo, type ConnectionPaging } from './export-paging';

/** What the gateway's configuration says about exports (set on each request by exportsPlugin). */
export interface ExportSettings {
  /** Hours an export can be downloaded before it is deleted. */
  ttlHours: number;
  /** The gateway's operation limits; null when the gateway runs without them (benchmarks). */
  limits: OperationLimits | null;
  /** Key of the PSEUDONYM mask: a user's subject is written pseudonymized in the watermark. */
  pseudonymKey: string;
  /** Most rows one export holds (EXPORT_MAX_ROWS): a result with more is refused, never cut. */
  maxRows: number;
}

const SETTINGS = Symbol('sellergate.exportSettings');

/** Gives every operation the export settings of this gateway (so exports follow its limits). */
export function exportsPlugin(settings: ExportSettings): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart({ contextValue }) {
      if (contextValue) (contextValue as unknown as Record<symbol, ExportSettings>)[SETTINGS] = settings;
    },
  };
}

export function exportSettingsOf(ctx: RequestContext): ExportSettings | undefined {
  return (ctx as unknown as Record<symbol, ExportSettings | undefined>)[SETTINGS];
}

/**
 * How an export runs one page of its query: on the governed schema in this process, or through
 * the federated gateway's executor (src/federation). Everything else about an export (access,
 * purpose, limits, paging, rows, watermark, storage, audit) is the same for both.
 */
export interface ExportExecutor {
  /** The schema the exported document is validated and paged against (its classifications name the data fields). */
  schema: GraphQLSchema;
  /** Runs one page: `context` is the caller's request context with the export's purpose and a fresh governance record. */
  run(page: { document: DocumentNode; variables: Record<string, unknown> | undefined; operationName: string | undefined; context: RequestContext }): Promise<ExecutionResult>;
}

/** Runs exports on an executable (governed) schema with graphql `execute`: the single process. */
export function schemaExecutor(schema: GraphQLSchema): ExportExecutor {
  return {
    schema,
    run: async ({ document, variables, operationName, context }) => execute({ schema, document, contextValue: context, variableValues: variables, operationName }),
  };
}

const EXECUTOR = Symbol('sellergate.exportExecutor');

/** Makes `executor` run the exports of this request (the federated gateway sets its own). */
export function useExportExecutor(ctx: RequestContext, executor: ExportExecutor): void {
  (ctx as unknown as Record<symbol, ExportExecutor>)[EXECUTOR] = executor;
}

/** The executor set for this request, if any (else exports run on the resolving schema). */
export function exportExecutorOf(ctx: RequestContext): ExportExecutor | undefined {
  return (ctx as unknown as Record<symbol, ExportExecutor | undefined>)[EXECUTOR];
}

export interface ExportRequest {
  document: string;
  variables: Record<string, unknown> | null;
  operationName: string | null;
  format: ExportFormat;
}

function badInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code: ErrorCode.BAD_USER_INPUT } });
}

/**
 * The principal as the watermark names it: a token by its id; a user by the pseudonym of its
 * subject (a subject may be an e-mail address; the export's row keeps it for the access check).
 */
export function watermarkPrincipal(principal: Pick<Principal, 'kind' | 'id'>, pseudonymKey: string): string {
  return principal.kind === 'token' ? `token:${principal.id}` : `${principal.kind}:${pseudonym(principal.id, pseudonymKey)}`;
}

/** Parses, validates and checks the exported document against the gateway's limits. */
function prepare(schema: GraphQLSchema, request: ExportRequest, limits: OperationLimits | null): DocumentNode {
  if (limits && limits.documentBytes > 0) {
    const bytes = Buffer.byteLength(request.document, 'utf8');
    if (bytes > limits.documentBytes) throw limitExceeded('documentBytes', limits.documentBytes, bytes, ErrorCode.BAD_USER_INPUT);
  }
  let document: DocumentNode;
  try {
    document = parse(request.document, limits && limits.tokens > 0 ? { maxTokens: limits.tokens } : {});
  } catch (error) {
    if (error instanceof GraphQLError && /more tha[nt] \d+ tokens/.test(error.message) && limits) throw limitExceeded('tokens', limits.tokens, null);
    throw badInput(`The exported document does not parse: ${(error as Error).message}`);
  }
  const problems = validate(schema, document);
  if (problems.length > 0) {
    throw badInput(`The exported document is not valid: ${problems.map((problem) => problem.message).join('; ')}`);
  }
  const operation = getOperationAST(document, request.operationName ?? undefined);
  if (!operation) {
    throw badInput(request.operationName ? `The document has no operation named ${request.operationName}` : 'The document holds several operations: name the one to export with operationName');
  }
  if (operation.operation !== 'query') {
    throw badInput(`Only queries can be exported; this operation is a ${operation.operation}`);
  }
  return document;
}

function codeOf(error: GraphQLFormattedError | GraphQLError): string {
  return String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR);
}

/** A result with errors is not exported: the refusal names each error's code, path and coordinate. */
function refusalOf(errors: readonly GraphQLError[], executed: boolean, page: number | null = null): GraphQLError {
  const described = errors.map((error) => ({
    code: error.extensions?.code ? codeOf(error) : executed ? ErrorCode.INTERNAL_SERVER_ERROR : ErrorCode.BAD_USER_INPUT,
    path: error.path?.join('.') ?? null,
    coordinate: typeof error.extensions?.coordinate === 'string' ? error.extensions.coordinate : null,
    // Messages of errors raised on purpose are kept (they name limits and coordinates, never values).
    message: error.extensions?.code || !executed ? error.message : 'Internal server error',
  }));
  const codes = [...new Set(described.map((error) => error.code))];
  const code = codes.includes(ErrorCode.FORBIDDEN) ? ErrorCode.FORBIDDEN : codes.length === 1 ? codes[0] : ErrorCode.BAD_USER_INPUT;
  const shown = described
    .slice(0, 5)
    .map((error) => `${error.code}${error.path ? ` at ${error.path}` : ''}${error.coordinate ? ` (${error.coordinate})` : ''}`)
    .join('; ');
  const more = described.length > 5 ? `; and ${described.length - 5} more` : '';
  const where = page === null ? "the query's result" : `page ${page} of the query's result`;
  return new GraphQLError(`Export refused: ${where} has ${described.length} error(s), and an export never leaves data out: ${shown}${more}`, {
    extensions: { code, errors: described, ...(page === null ? {} : { page }) },
  });
}

/**
 * The exported query's result, or the execution-time refusal (naming the `limitMs` configured)
 * when it does not finish within `ms` (Infinity: no limit).
 */
async function withinTimeout<T>(execution: Promise<T>, ms: number, limitMs: number): Promise<T> {
  if (!Number.isFinite(ms)) return execution;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(limitExceeded('executionTimeoutMs', limitMs, null)), Math.max(0, ms));
  });
  try {
    return await Promise.race([execution, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Copies what the exported query's governance recorded into the request's (for the audit record). */
function mergeGovernance(into: GovernanceRecorder, from: GovernanceRecorder): void {
  for (const coordinate of from.masked) into.masked.add(coordinate);
  for (const coordinate of from.denied) into.denied.add(coordinate);
  for (const [category, rows] of Object.entries(from.rowsByCategory)) into.countRows(category as Category, rows ?? 0);
  into.suppressedGroups += from.suppressedGroups;
}

/** The refusal of a result over EXPORT_MAX_ROWS (an export is never cut silently). */
function tooManyRows(maxRows: number, paged: boolean): GraphQLError {
  const hint = paged
    ? 'narrow the query with its filters (e.g. a date range), or start it later with `after`, and export each part'
    : 'narrow the query with its filters and export each part';
  return badInput(`Export refused: the result holds more than EXPORT_MAX_ROWS (${maxRows}) rows, and an export never leaves rows out; ${hint}`, {
    limit: 'EXPORT_MAX_ROWS',
    max: maxRows,
  });
}

/**
 * Runs `request.document` as the caller (same principal, declared purpose, row scope, policy and
 * limits) with `executor` (or on the governed `schema`), and stores its rows as an export file. When the query's
 * root field is a connection, it is run page after page (each page after the previous page's
 * `endCursor`) until the last page: every page on the same schema and request context, so under
 * the same policy version; the operation limits hold for each page (each page is the exported
 * document itself), the execution timeout for the whole export, and an error on any page, or more
 * than `settings.maxRows` rows, refuses the whole export.
 */
export async function createExport(ctx: RequestContext, executorOrSchema: ExportExecutor | GraphQLSchema, request: ExportRequest, settings: ExportSettings): Promise<DataExport> {
  const executor = 'run' in executorOrSchema ? executorOrSchema : schemaExecutor(executorOrSchema);
  const { schema } = executor;
  const principal = ctx.principal!;
  const document = prepare(schema, request, settings.limits);
  const operation = getOperationAST(document, request.operationName ?? undefined)!;
  // The exported query passes the operation's admission checks as if the caller had sent it.
  const facts = await checkOperation(
    ctx,
    { schema, document, operation, operationName: request.operationName, variables: request.variables ?? undefined, documentHash: sha256Hex(request.document) },
    { limits: settings.limits, mayIntrospect: () => false, isPersisted: null, rootPurposes: false },
  ).catch((error: unknown) => {
    throw error instanceof GraphQLError && error.extensions?.coordinate === 'Query.__schema' ? badInput('Introspection cannot be exported') : error;
  });
  const purpose = ctx.purpose;
  // The export's audit record names what its query read, not only `Mutation.createExport`.
  ctx.governance.readNested(facts.fields, facts.categories);
  const paging = connectionPaging(schema, document, operation, request.variables, request.document);

  const timeoutMs = settings.limits?.executionTimeoutMs ?? 0;
  const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  const file = new ExportFileBuilder(request.format);
  const runPage = async (after: string | null, page: number | null): Promise<Record<string, unknown>> => {
    if (Date.now() >= deadline) throw limitExceeded('executionTimeoutMs', timeoutMs, null);
    const inner = nestedRequestContext(ctx);
    const result = await withinTimeout(
      executor.run({
        document: paging?.document ?? document,
        context: inner,
        variables: paging ? { ...request.variables, [paging.afterVariable]: after } : (request.variables ?? undefined),
        operationName: request.operationName ?? undefined,
      }),
      deadline - Date.now(),
      timeoutMs,
    );
    mergeGovernance(ctx.governance, inner.governance);
    if (result.errors && result.errors.length > 0) throw refusalOf(result.errors, result.data !== undefined, page);
    // The same JSON the GraphQL response carries (custom scalars already serialized).
    return JSON.parse(JSON.stringify(result.data ?? {})) as Record<string, unknown>;
  };
  const addRows = (data: Record<string, unknown>) => {
    const rows = rowsOf(data);
    if (file.rows + rows.length > settings.maxRows) throw tooManyRows(settings.maxRows, paging !== null);
    file.add(rows);
  };

  if (!paging) {
    addRows(await runPage(null, null));
  } else {
    await pageThrough(paging, settings.maxRows, file, runPage, addRows);
  }

  const now = ctx.now();
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + settings.ttlHours * 3_600_000);
  const watermark: ExportWatermark = {
    id,
    format: request.format,
    principal: watermarkPrincipal(principal, settings.pseudonymKey),
    role: principal.role,
    purpose,
    policyVersion: ctx.policy.version,
    operationName: operation.name?.value ?? request.operationName ?? null,
    documentHash: sha256Hex(request.document),
    rows: file.rows,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  };
  const content = Buffer.from(file.finish(watermark), 'utf8');
  const record: DataExport = {
    id,
    principalId: principal.id,
    principalKind: principal.kind,
    principalRole: principal.role,
    purpose,
    format: request.format,
    operationName: watermark.operationName,
    documentHash: watermark.documentHash,
    policyVersion: ctx.policy.version,
    // What the rows were read under: the file is served only while the caller's scope holds it.
    scopeAccounts: ctx.scope.accounts === null ? null : [...ctx.scope.accounts].sort(),
    scopeMarketplaces: ctx.scope.marketplaces === null ? null : [...ctx.scope.marketplaces].sort(),
    categories: [...facts.categories],
    rowCount: file.rows,
    byteSize: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
    content,
    requestId: ctx.requestId.slice(0, 100) || 'unknown',
    createdAt: now,
    expiresAt,
    downloads: 0,
    lastDownloadedAt: null,
  };
  await ctx.db.transaction(async (manager) => {
    await manager.insert(DataExport, record);
    await recordUserAction(manager, { actor: principal.id, action: 'export.create', target: id, requestId: ctx.requestId, time: now });
  });
  return record;
}

/** Runs a connection export's pages, from the document's own `after` to the last page. */
async function pageThrough(
  paging: ConnectionPaging,
  maxRows: number,
  file: ExportFileBuilder,
  runPage: (after: string | null, page: number) => Promise<Record<string, unknown>>,
  addRows: (data: Record<string, unknown>) => void,
): Promise<void> {
  let after = paging.firstAfter;
  for (let page = 1; ; page += 1) {
    const data = await runPage(after, page);
    const info = takePageInfo(data, paging);
    addRows(data);
    if (!info || !info.hasNextPage) return;
    // More rows follow: at the cap already, they would not fit.
    if (file.rows >= maxRows) throw tooManyRows(maxRows, true);
    if (info.endCursor === null || info.endCursor === after) {
      throw new GraphQLError(`Export refused: ${paging.coordinate} reported a next page without a new endCursor on page ${page}`, {
        extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
      });
    }
    after = info.endCursor;
  }
}

/** The principal's exports that can still be downloaded, newest first (no content). */
export async function listExports(db: EntityManager, principal: Pick<Principal, 'kind' | 'id'>, now: Date): Promise<DataExport[]> {
  return db.find(DataExport, {
    where: { principalId: principal.id, principalKind: principal.kind, expiresAt: MoreThan(now) },
    order: { createdAt: 'DESC' },
  });
}

/**
 * Why `file` may not be served to a caller whose current row scope is `scope` and whose categories
 * are `categories` (null: not limited), or null when it may: the export's row scope (the scope it
 * was read under; NULL, as for exports made before it was kept, is not limited) must lie within the
 * caller's, and the categories it read (NULL: any) within the caller's. Part of `exportRefusalFor`.
 */
export function exportOutsideOf(file: Pick<DataExport, 'scopeAccounts' | 'scopeMarketplaces' | 'categories'>, caller: { scope: RowScope; categories: readonly string[] | null }): string | null {
  if (!scopeWithin(caller.scope, { accounts: file.scopeAccounts, marketplaces: file.scopeMarketplaces })) {
    return 'it holds rows of seller accounts or marketplaces outside your current scope';
  }
  if (caller.categories !== null && (file.categories === null || file.categories.some((category) => !caller.categories!.includes(category)))) {
    return 'it holds data of categories outside those you are limited to';
  }
  return null;
}

/** Why an export of the caller's own is not served to it now. */
export interface ExportRefusal {
  code: typeof ErrorCode.FORBIDDEN | typeof ErrorCode.PURPOSE_NOT_GRANTED;
  message: string;
  reason?: 'ROW_SCOPE';
}

/**
 * Whether the caller's own, unexpired export `file` is served to it now, under its current role,
 * row scope, categories and the policy in force: null when it is, else why not. The download route
 * refuses with it, and `myExports` lists only the exports it serves. The one place that decides.
 */
export function exportRefusalFor(
  file: Pick<DataExport, 'id' | 'principalRole' | 'purpose' | 'scopeAccounts' | 'scopeMarketplaces' | 'categories'>,
  caller: Pick<Principal, 'role' | 'categories' | 'purposes'>,
  scope: RowScope,
  policy: Policy,
): ExportRefusal | null {
  // The file holds what the export's role read (its masks and grants): a principal whose role has
  // changed since (a user's role claim) gets it no more.
  if (file.principalRole !== caller.role) {
    return { code: ErrorCode.FORBIDDEN, message: `Export ${file.id} was made under role ${file.principalRole}; this principal now has role ${caller.role}: make the export again` };
  }
  // The file holds the rows of the scope it was read under: a principal whose scope or
  // categories have narrowed since (a user's `accounts` claim) gets it no more.
  const outside = exportOutsideOf(file, { scope, categories: caller.categories });
  if (outside !== null) {
    return { code: ErrorCode.FORBIDDEN, message: `Export ${file.id} is not served to this principal: ${outside}; make the export again`, reason: 'ROW_SCOPE' };
  }
  // The policy in force still has to grant the purpose the rows were read for (a `policy apply`
  // may have taken it from the role since): else the file is not served.
  const purpose = file.purpose as Purpose | null;
  const role = policy.roles[caller.role];
  if (purpose !== null && (!role?.purposes.includes(purpose) || !caller.purposes.includes(purpose))) {
    return { code: ErrorCode.PURPOSE_NOT_GRANTED, message: `Export ${file.id} was made for purpose ${purpose}, which the policy in force no longer grants to role ${caller.role}` };
  }
  return null;
}

export type DownloadLookup =
  | { status: 'ok'; export: DataExport; contentType: string }
  | { status: 'expired'; export: DataExport }
  | { status: 'not-found' };

/**
 * The export `id` for `principal`: another principal's export is reported as not found (its
 * existence is not confirmed); an expired one of the principal's own as expired.
 */
export async function findExportFor(db: EntityManager, id: string, principal: Pick<Principal, 'kind' | 'id'>, now: Date): Promise<DownloadLookup> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return { status: 'not-found' };
  const found = await db
    .createQueryBuilder(DataExport, 'e')
    .addSelect('e.content')
    .where('e.id = :id AND e.principalId = :principalId AND e.principalKind = :kind', { id, principalId: principal.id, kind: principal.kind })
    .getOne();
  if (!found) return { status: 'not-found' };
  if (found.expiresAt.getTime() <= now.getTime()) return { status: 'expired', export: found };
  return { status: 'ok', export: found, contentType: EXPORT_CONTENT_TYPES[found.format as ExportFormat] };
}

/** Deletes every export past its expiry; returns how many. */
export async function deleteExpiredExports(db: EntityManager, now: Date): Promise<number> {
  const result = await db.delete(DataExport, { expiresAt: LessThanOrEqual(now) });
  return result.affected ?? 0;
}

/** Deletes expired exports every `intervalMs` (and once at start); `stop()` ends it. */
export function startExportSweep(dataSource: DataSource, options: { intervalMs: number; now: () => Date; onError: (error: unknown) => void; onDeleted?: (count: number) => void }): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const sweep = () => {
    if (running) return;
    running = deleteExpiredExports(dataSource.manager, options.now())
      .then((count) => {
        if (count > 0) options.onDeleted?.(count);
      })
      .catch(options.onError)
      .finally(() => {
        running = null;
      });
  };
  sweep();
  const timer = setInterval(sweep, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
