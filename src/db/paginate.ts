// Keyset pagination for every list: stable order (sort key, then id), opaque cursors, page-size
// limit, and `totalCount` computed only when selected. Row scope is already in the query builder.
import { QueryFailedError, type EntityTarget, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import type { ConnectionShape, PageInfo } from '../../schema/common/connection.type';
import { config } from '../config';
import type { RequestContext } from '../context';
import { badUserInput } from '../errors';
import type { Category } from '../policy/taxonomy';
import { type RawTable, SqlConditions, rawTable, selectEntities, selectRows } from './raw-rows';
import { scopeConditions } from './scoped';

export type SortDirection = 'ASC' | 'DESC';

export interface PaginateOptions<T> {
  category: Category;
  /** Query alias of the root entity, e.g. `o`. */
  alias: string;
  /** Entity property to sort by (non-null column), e.g. `purchaseDate`. */
  sortBy: keyof T & string;
  direction: SortDirection;
  /** Unique tie-breaker property (default `id`). */
  idProperty?: keyof T & string;
}

interface CursorPayload {
  v: unknown;
  id: unknown;
}

export function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify([payload.v, payload.id])).toString('base64url');
}

const isKeyValue = (value: unknown): value is string | number => typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));

function malformedCursor() {
  return badUserInput('Malformed cursor: pass the `cursor` or `pageInfo.endCursor` of a previous page', {
    argumentName: 'after',
  });
}

export function decodeCursor(cursor: string): CursorPayload {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && (parsed[0] === null || isKeyValue(parsed[0])) && isKeyValue(parsed[1])) {
      return { v: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the user-facing error
  }
  throw malformedCursor();
}

/**
 * Runs a page's query; with a cursor, a value the database cannot take for the sort key or id
 * (a data exception, SQLSTATE class 22: not a date, not a number, out of range) is the
 * cursor's fault, not the server's.
 */
async function readPage<R>(after: string | null | undefined, read: () => Promise<R>): Promise<R> {
  if (!after) return read();
  try {
    return await read();
  } catch (error) {
    const code = (error as { driverError?: { code?: unknown }; code?: unknown }).driverError?.code ?? (error as { code?: unknown }).code;
    if (error instanceof QueryFailedError && typeof code === 'string' && code.startsWith('22')) throw malformedCursor();
    throw error;
  }
}

/** Validates `first` against the configured maximum page size. */
export function pageSize(first: number | undefined | null): number {
  const { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } = config();
  if (first === undefined || first === null) return Math.min(DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  if (!Number.isInteger(first) || first < 0) {
    throw badUserInput('`first` must be a non-negative integer', { argumentName: 'first', value: first });
  }
  if (first > MAX_PAGE_SIZE) {
    throw badUserInput(`\`first\` is ${first} but the maximum page size is ${MAX_PAGE_SIZE}: request at most ${MAX_PAGE_SIZE} and page with \`after\``, {
      argumentName: 'first',
      value: first,
      limit: MAX_PAGE_SIZE,
    });
  }
  return first;
}

function cursorValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** Reads one page of a list: the source of its rows (query builder or prebuilt statement). */
interface PageSource<T> {
  /** Up to `limit` rows after `cursor` (all from the start without one), in keyset order. */
  rows(cursor: CursorPayload | null, limit: number): Promise<T[]>;
  /** Rows of the whole list (for `totalCount`). */
  count(): Promise<number>;
}

/**
 * The one pagination path: page size, cursor, keyset read, row count for the audit record, edges,
 * page info and lazy `totalCount`, whatever reads the rows (`paginate`, `paginateRows`).
 */
async function keysetPage<T extends ObjectLiteral>(
  ctx: RequestContext,
  args: { first?: number | null; after?: string | null },
  options: { category: Category; sortBy: keyof T & string; idProperty?: keyof T & string },
  source: PageSource<T>,
): Promise<ConnectionShape<T>> {
  const limit = pageSize(args.first);
  const cursor = args.after ? decodeCursor(args.after) : null;
  const idProperty = options.idProperty ?? ('id' as keyof T & string);
  const rows = limit === 0 ? [] : await readPage(args.after, () => source.rows(cursor, limit + 1));
  const hasNextPage = rows.length > limit;
  const nodes = hasNextPage ? rows.slice(0, limit) : rows;
  ctx.governance.countRows(options.category, nodes.length);
  const cursorOf = (node: T) => encodeCursor({ v: cursorValue(node[options.sortBy]), id: node[idProperty] });
  return new KeysetPage(nodes, cursorOf, hasNextPage, Boolean(args.after), lazyCount(() => source.count()));
}

// A page and its page info encode cursors only when they are read: `edges` when edges are
// selected, the first and last cursors when `pageInfo` asks for them. The getters are on the
// classes' prototypes, not in object literals: on Node 20 an object literal with getters gets
// accessors of its own that the young-generation collector keeps, with what the getters refer to
// (here the page's rows), until the next full collection (docs/benchmarks.md).

class KeysetPage<T> implements ConnectionShape<T> {
  #edges: { cursor: string; node: T }[] | undefined;
  readonly #cursorOf: (node: T) => string;
  readonly pageInfo: LazyPageInfo<T>;

  constructor(
    readonly nodes: T[],
    cursorOf: (node: T) => string,
    hasNextPage: boolean,
    hasPreviousPage: boolean,
    readonly totalCount: PromiseLike<number>,
  ) {
    this.#cursorOf = cursorOf;
    this.pageInfo = new LazyPageInfo(nodes, cursorOf, hasNextPage, hasPreviousPage);
  }

  get edges(): { cursor: string; node: T }[] {
    return (this.#edges ??= this.nodes.map((node) => ({ cursor: this.#cursorOf(node), node })));
  }
}

/**
 * The same page with each row mapped once (an archived row to the type it is read as): the edges
 * hold the mapped nodes, and their cursors stay those of the rows, still encoded only when read.
 */
export function mapPage<T, U>(page: ConnectionShape<T>, map: (node: T) => U): ConnectionShape<U> {
  return new MappedPage(page, page.nodes.map(map));
}

class MappedPage<T, U> implements ConnectionShape<U> {
  #edges: { cursor: string; node: U }[] | undefined;
  readonly #source: ConnectionShape<T>;
  readonly pageInfo: PageInfo;
  readonly totalCount: PromiseLike<number>;

  constructor(
    source: ConnectionShape<T>,
    readonly nodes: U[],
  ) {
    this.#source = source;
    this.pageInfo = source.pageInfo;
    this.totalCount = source.totalCount;
  }

  get edges(): { cursor: string; node: U }[] {
    return (this.#edges ??= this.#source.edges.map((edge, index) => ({ cursor: edge.cursor, node: this.nodes[index] })));
  }
}

class LazyPageInfo<T> implements PageInfo {
  readonly #nodes: T[];
  readonly #cursorOf: (node: T) => string;

  constructor(
    nodes: T[],
    cursorOf: (node: T) => string,
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
  ) {
    this.#nodes = nodes;
    this.#cursorOf = cursorOf;
  }

  get startCursor(): string | null {
    return this.#nodes.length > 0 ? this.#cursorOf(this.#nodes[0]) : null;
  }

  get endCursor(): string | null {
    return this.#nodes.length > 0 ? this.#cursorOf(this.#nodes[this.#nodes.length - 1]) : null;
  }
}

/** A page of a query builder's rows (row scope is already in the query: src/db/scoped.ts). */
export function paginate<T extends ObjectLiteral>(
  ctx: RequestContext,
  query: SelectQueryBuilder<T>,
  args: { first?: number | null; after?: string | null },
  options: PaginateOptions<T>,
): Promise<ConnectionShape<T>> {
  const idProperty = options.idProperty ?? ('id' as keyof T & string);
  const sortPath = `${options.alias}.${options.sortBy}`;
  const idPath = `${options.alias}.${idProperty}`;
  const countQuery = query.clone();
  return keysetPage(ctx, args, options, {
    rows(cursor, limit) {
      const page = query.clone();
      if (cursor) {
        const op = options.direction === 'ASC' ? '>' : '<';
        page.andWhere(`(${sortPath}, ${idPath}) ${op} (:cursorValue, :cursorId)`, { cursorValue: cursor.v, cursorId: cursor.id });
      }
      return page.orderBy(sortPath, options.direction).addOrderBy(idPath, options.direction).take(undefined).limit(limit).getMany();
    },
    count: () => countQuery.getCount(),
  });
}

/**
 * A count that runs only if GraphQL awaits it (when `totalCount` is selected): GraphQL treats
 * any thenable as a promise, so the query starts on the first `then`.
 */
export function lazyCount(count: () => Promise<number>): PromiseLike<number> {
  let pending: Promise<number> | undefined;
  return {
    then: (onFulfilled, onRejected) => (pending ??= count()).then(onFulfilled, onRejected),
  };
}

export interface RawPaginateOptions<T> extends Omit<PaginateOptions<T>, 'alias'> {
  /** The entity's prebuilt SELECT list and conversion (src/db/raw-rows.ts). */
  table: RawTable<T>;
  /**
   * More columns for the page's rows (the planned executor's nested lists, src/execution): SQL
   * expressions with their parameters added to `page`, returned as `, expr AS "name", ...`. With
   * `only`, the rows hold just those entity properties (and the keyset's), not every column.
   */
  columns?: ((page: SqlConditions) => string) & { only?: readonly string[] };
}

/**
 * A page of a prebuilt statement: the conditions (filters and row scope, src/db/scoped.ts) as SQL
 * and the rows read raw instead of through the query builder and entity hydration.
 */
export function paginateRows<T extends ObjectLiteral>(
  ctx: RequestContext,
  conditions: SqlConditions,
  args: { first?: number | null; after?: string | null },
  options: RawPaginateOptions<T>,
): Promise<ConnectionShape<T>> {
  const { table } = options;
  const sortColumn = table.column(options.sortBy);
  const idProperty = options.idProperty ?? ('id' as keyof T & string);
  const idColumn = table.column(idProperty);
  // The properties the caller reads, and the keyset's (cursors are encoded from them).
  const only = options.columns?.only;
  const select = only ? table.selectOf([...new Set([...only, options.sortBy, idProperty])].sort()) : table.select;
  const countSql = `SELECT COUNT(*)::int AS "count" FROM ${table.from}${conditions.where()}`;
  const countParams = [...conditions.params];
  return keysetPage(ctx, args, options, {
    rows(cursor, limit) {
      const page = new SqlConditions();
      page.conditions.push(...conditions.conditions);
      page.params.push(...conditions.params);
      if (cursor) {
        const op = options.direction === 'ASC' ? '>' : '<';
        page.and(`(${sortColumn}, ${idColumn}) ${op} (${page.param(cursor.v)}, ${page.param(cursor.id)})`);
      }
      const direction = options.direction === 'ASC' ? 'ASC' : 'DESC';
      const columns = options.columns?.(page) ?? '';
      const sql = `SELECT ${select}${columns} FROM ${table.from}${page.where()} ORDER BY ${sortColumn} ${direction}, ${idColumn} ${direction} LIMIT ${limit}`;
      return selectEntities(ctx.reads, table, sql, page.params);
    },
    async count() {
      const [row] = await selectRows(ctx.reads, countSql, countParams);
      return Number(row?.count ?? 0);
    },
  });
}

/**
 * The one row of `entity` whose `property` is `value`, within the principal's row scope, as a
 * prebuilt statement with more columns (the planned executor's nested lists): the same row, scope
 * and count as the query builder's `getOne`, read as `alias`.
 */
export async function scopedRowBy<T extends ObjectLiteral>(
  ctx: RequestContext,
  entity: EntityTarget<T>,
  alias: string,
  property: keyof T & string,
  value: unknown,
  options: { category: Category; columns: (where: SqlConditions) => string },
): Promise<T | null> {
  const table = rawTable(ctx.reads.connection, entity, alias);
  const where = scopeConditions(new SqlConditions(), ctx, entity, table);
  where.and(`${table.column(property)} = ${where.param(value)}`);
  const extra = options.columns(where);
  const [row] = await selectEntities(ctx.reads, table, `SELECT ${table.select}${extra} FROM ${table.from}${where.where()} LIMIT 1`, where.params);
  if (row) ctx.governance.countRows(options.category, 1);
  return row ?? null;
}
