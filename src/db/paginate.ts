// Keyset pagination for every list: stable order (sort key, then id), opaque cursors, page-size
// limit, and `totalCount` computed only when selected. Row scope is already in the query builder.
import { QueryFailedError, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import type { ConnectionShape } from '../../schema/common/connection.type';
import { config } from '../config';
import type { RequestContext } from '../context';
import { badUserInput } from '../errors';
import type { Category } from '../policy/taxonomy';
import { type RawTable, SqlConditions, selectEntities, selectRows } from './raw-rows';

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

export async function paginate<T extends ObjectLiteral>(
  ctx: RequestContext,
  query: SelectQueryBuilder<T>,
  args: { first?: number | null; after?: string | null },
  options: PaginateOptions<T>,
): Promise<ConnectionShape<T>> {
  const limit = pageSize(args.first);
  const idProperty = options.idProperty ?? ('id' as keyof T & string);
  const sortPath = `${options.alias}.${options.sortBy}`;
  const idPath = `${options.alias}.${idProperty}`;
  const countQuery = query.clone();

  const page = query.clone();
  if (args.after) {
    const cursor = decodeCursor(args.after);
    const op = options.direction === 'ASC' ? '>' : '<';
    page.andWhere(`(${sortPath}, ${idPath}) ${op} (:cursorValue, :cursorId)`, {
      cursorValue: cursor.v,
      cursorId: cursor.id,
    });
  }
  page.orderBy(sortPath, options.direction).addOrderBy(idPath, options.direction).take(undefined).limit(limit + 1);

  const rows = limit === 0 ? [] : await readPage(args.after, () => page.getMany());
  const hasNextPage = rows.length > limit;
  const nodes = hasNextPage ? rows.slice(0, limit) : rows;
  ctx.governance.countRows(options.category, nodes.length);
  const edges = nodes.map((node) => ({
    cursor: encodeCursor({ v: cursorValue(node[options.sortBy]), id: node[idProperty] }),
    node,
  }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount: lazyCount(() => countQuery.getCount()),
  };
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
}

/**
 * `paginate` for a prebuilt statement: the same keyset order, cursors, page size, row count and
 * lazy `totalCount`, with the conditions (filters and row scope) given as SQL and the rows read
 * raw instead of through the query builder and entity hydration.
 */
export async function paginateRows<T extends ObjectLiteral>(
  ctx: RequestContext,
  conditions: SqlConditions,
  args: { first?: number | null; after?: string | null },
  options: RawPaginateOptions<T>,
): Promise<ConnectionShape<T>> {
  const limit = pageSize(args.first);
  const { table } = options;
  const idProperty = options.idProperty ?? ('id' as keyof T & string);
  const sortColumn = table.column(options.sortBy);
  const idColumn = table.column(idProperty);
  const countSql = `SELECT COUNT(*)::int AS "count" FROM ${table.from}${conditions.where()}`;
  const countParams = [...conditions.params];

  let rows: T[] = [];
  if (limit > 0) {
    const page = new SqlConditions();
    page.conditions.push(...conditions.conditions);
    page.params.push(...conditions.params);
    if (args.after) {
      const cursor = decodeCursor(args.after);
      const op = options.direction === 'ASC' ? '>' : '<';
      page.and(`(${sortColumn}, ${idColumn}) ${op} (${page.param(cursor.v)}, ${page.param(cursor.id)})`);
    }
    const direction = options.direction === 'ASC' ? 'ASC' : 'DESC';
    const sql = `SELECT ${table.select} FROM ${table.from}${page.where()} ORDER BY ${sortColumn} ${direction}, ${idColumn} ${direction} LIMIT ${limit + 1}`;
    rows = await readPage(args.after, () => selectEntities(ctx.reads, table, sql, page.params));
  } else if (args.after) {
    decodeCursor(args.after);
  }
  const hasNextPage = rows.length > limit;
  const nodes = hasNextPage ? rows.slice(0, limit) : rows;
  ctx.governance.countRows(options.category, nodes.length);
  const cursorOf = (node: T) => encodeCursor({ v: cursorValue(node[options.sortBy]), id: node[idProperty] });
  let edges: { cursor: string; node: T }[] | undefined;
  return {
    // Each node's cursor is encoded only when `edges` is selected.
    get edges() {
      return (edges ??= nodes.map((node) => ({ cursor: cursorOf(node), node })));
    },
    nodes,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: Boolean(args.after),
      startCursor: nodes.length > 0 ? cursorOf(nodes[0]) : null,
      endCursor: nodes.length > 0 ? cursorOf(nodes[nodes.length - 1]) : null,
    },
    totalCount: lazyCount(async () => {
      const [row] = await selectRows(ctx.reads, countSql, countParams);
      return Number(row?.count ?? 0);
    }),
  };
}
