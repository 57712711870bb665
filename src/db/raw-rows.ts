// Hot reads without the query builder: the SELECT list of an entity is built once per data
// source, entity and alias from TypeORM's metadata, and rows are read raw and converted column by
// column with the driver's own hydration (`prepareHydratedValue`: the same values as `getMany`,
// as plain objects). Statements run where a query builder of the same entity manager would run
// them: on its transaction's connection, else on the connection its data source picks for reads
// (the read replica for `ctx.reads`, src/db/read-replica.ts). On the pool, hot statements are sent
// as prepared statements (src/db/prepared-statements.ts).
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { Pool } from 'pg';
import { QueryFailedError, type DataSource, type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { preparedQuery } from './prepared-statements';

export interface RawTable<T> {
  /** `"table" "alias"`, for the FROM clause. */
  readonly from: string;
  /** `"alias"."column" AS "property", ...` for every selected column of the entity. */
  readonly select: string;
  /** The same for some properties only (in the entity's column order), built once per set. */
  selectOf(properties: readonly string[]): string;
  /** `"alias"."column"` of an entity property; throws for an unknown property. */
  column(property: keyof T & string): string;
  /** A raw row (aliased by property) as the entity values `getMany` would give. */
  hydrate(row: Record<string, unknown>): T;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

// Keyed by the data source's driver: the read view of a data source (read-replica.ts) shares it.
const tables = new WeakMap<object, Map<unknown, Map<string, RawTable<unknown>>>>();

/** The prebuilt SELECT list and row conversion of `entity` under `alias`. */
export function rawTable<T extends ObjectLiteral>(dataSource: DataSource, entity: EntityTarget<T>, alias: string): RawTable<T> {
  let byEntity = tables.get(dataSource.driver);
  if (!byEntity) tables.set(dataSource.driver, (byEntity = new Map()));
  let byAlias = byEntity.get(entity);
  if (!byAlias) byEntity.set(entity, (byAlias = new Map()));
  let table = byAlias.get(alias) as RawTable<T> | undefined;
  if (!table) {
    table = buildRawTable<T>(dataSource, entity, alias);
    byAlias.set(alias, table as RawTable<unknown>);
  }
  return table;
}

function buildRawTable<T>(dataSource: DataSource, entity: EntityTarget<T & ObjectLiteral>, alias: string): RawTable<T> {
  const metadata = dataSource.getMetadata(entity);
  const driver = dataSource.driver;
  const columns: ColumnMetadata[] = metadata.columns.filter((column) => column.isSelect && !column.isVirtual && !column.embeddedMetadata);
  const byProperty = new Map(columns.map((column) => [column.propertyName, `${quote(alias)}.${quote(column.databaseName)}`]));
  // Only the columns whose value the driver would change are converted; the others are already
  // what hydration gives (pg's strings, numbers, booleans and parsed JSON).
  const converted = columns
    .map((column) => ({ property: column.propertyName, convert: converterOf(column, driver) }))
    .filter((entry): entry is { property: string; convert: (value: unknown) => unknown } => entry.convert !== null);
  const selectList = (chosen: readonly ColumnMetadata[]) => chosen.map((column) => `${byProperty.get(column.propertyName)} AS ${quote(column.propertyName)}`).join(', ');
  const subsets = new Map<string, string>();
  return {
    from: `${metadata.tablePath.split('.').map(quote).join('.')} ${quote(alias)}`,
    select: selectList(columns),
    selectOf(properties) {
      const key = properties.join(',');
      let select = subsets.get(key);
      if (select === undefined) {
        const wanted = new Set(properties);
        for (const property of wanted) if (!byProperty.has(property)) throw new Error(`${metadata.name} has no selected column ${property}`);
        subsets.set(key, (select = selectList(columns.filter((column) => wanted.has(column.propertyName)))));
      }
      return select;
    },
    column(property) {
      const path = byProperty.get(property);
      if (!path) throw new Error(`${metadata.name} has no selected column ${property}`);
      return path;
    },
    hydrate(row) {
      // The row holds exactly the selected columns, named by property: converted in place.
      for (let i = 0; i < converted.length; i += 1) {
        const { property, convert } = converted[i];
        const raw = row[property];
        if (raw !== undefined) row[property] = convert(raw);
      }
      return row as T;
    },
  };
}

/** Column types whose non-null pg value hydration leaves as it is (without a transformer). */
const UNCHANGED_TYPES = new Set<unknown>([
  'varchar',
  'character varying',
  'text',
  'char',
  'character',
  'uuid',
  'bigint',
  'integer',
  'int',
  'smallint',
  'numeric',
  'decimal',
  'boolean',
  'json',
  'jsonb',
]);
const TIMESTAMP_TYPES = new Set<unknown>(['timestamptz', 'timestamp', 'timestamp with time zone', 'timestamp without time zone', 'datetime', Date]);

/** The hydration of one column's value, or null when it leaves the value unchanged. */
function converterOf(column: ColumnMetadata, driver: DataSource['driver']): ((value: unknown) => unknown) | null {
  if (!column.transformer && !column.isArray) {
    if (UNCHANGED_TYPES.has(column.type)) return null;
    if (TIMESTAMP_TYPES.has(column.type)) return (value) => (value && typeof value === 'string' ? new Date(value) : value);
  }
  return (value) => driver.prepareHydratedValue(value, column);
}

/** Positional parameters (`$1`, `$2`, ...) and AND-ed conditions of one statement. */
export class SqlConditions {
  readonly conditions: string[] = [];

  /** `params`: the statement's parameters, when these conditions are one part of it (a subquery's). */
  constructor(readonly params: unknown[] = []) {}

  /** Adds a parameter; returns its placeholder. */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  and(condition: string): this {
    this.conditions.push(condition);
    return this;
  }

  /** ` WHERE a AND b`, or nothing. */
  where(): string {
    return this.conditions.length === 0 ? '' : ` WHERE ${this.conditions.map((condition) => `(${condition})`).join(' AND ')}`;
  }
}

/**
 * Runs a SELECT where a query builder of `manager` would: the manager's transaction, else a
 * connection in the data source's default mode for reads (the replica for `replicaReads`).
 */
export async function selectRows(manager: EntityManager, sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  if (manager.queryRunner) return (await manager.queryRunner.query(sql, params)) as Record<string, unknown>[];
  const dataSource = manager.connection;
  const pool = readPool(dataSource);
  if (pool) {
    // The pool TypeORM's query runner would take its connection from, without the runner around
    // one statement (its connect/release promises, events and result object); logged the same way.
    dataSource.logger.logQuery(sql, params);
    try {
      return (await preparedQuery(dataSource, pool, sql, params)) as Record<string, unknown>[];
    } catch (error) {
      // A read on a connection that had died (a terminated backend the pool had not yet noticed)
      // is read again once, on a fresh connection: a SELECT outside a transaction changes nothing.
      if (connectionLost(error)) {
        try {
          return (await preparedQuery(dataSource, pool, sql, params)) as Record<string, unknown>[];
        } catch (retryError) {
          dataSource.logger.logQueryError(retryError as Error, sql, params);
          throw new QueryFailedError(sql, params, retryError as Error);
        }
      }
      dataSource.logger.logQueryError(error as Error, sql, params);
      throw new QueryFailedError(sql, params, error as Error);
    }
  }
  const runner = dataSource.createQueryRunner(dataSource.defaultReplicationModeForReads());
  try {
    return (await runner.query(sql, params)) as Record<string, unknown>[];
  } finally {
    await runner.release();
  }
}

/**
 * Runs one statement on the primary, in its own transaction (no retry: it may write), on the pool
 * TypeORM's query runner would use, without the runner around it; logged and its errors wrapped
 * as the runner does. The rows it returns. For statements sent on every request (the audit append).
 */
export async function primaryStatement(dataSource: DataSource, sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const pool = dataSource.options.type === 'postgres' ? (dataSource.driver as unknown as { master?: Pool }).master : undefined;
  if (!pool) return (await dataSource.query(sql, params)) as Record<string, unknown>[];
  dataSource.logger.logQuery(sql, params);
  try {
    return (await preparedQuery(dataSource, pool, sql, params)) as Record<string, unknown>[];
  } catch (error) {
    dataSource.logger.logQueryError(error as Error, sql, params);
    throw new QueryFailedError(sql, params, error as Error);
  }
}

/** The connection itself was lost (terminated backend, closed socket), not the statement refused. */
function connectionLost(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code === '57P01' || code === '57P02' || (typeof code === 'string' && code.startsWith('08'))) return true;
  return typeof message === 'string' && /Connection terminated|not queryable|ECONNRESET/i.test(message);
}

/** The `pg` pool a read of `dataSource` in its default mode for reads uses (a replica's, else the primary's). */
function readPool(dataSource: DataSource): Pool | undefined {
  if (dataSource.options.type !== 'postgres') return undefined;
  const driver = dataSource.driver as unknown as { isReplicated: boolean; master?: Pool; slaves: Pool[] };
  if (driver.isReplicated && dataSource.defaultReplicationModeForReads() === 'slave' && driver.slaves.length > 0) {
    // TypeORM picks a replica at random for each statement, too.
    return driver.slaves[Math.floor(Math.random() * driver.slaves.length)];
  }
  return driver.master;
}

/** Reads `sql` with `selectRows` and hydrates each row with `table`. */
export async function selectEntities<T>(manager: EntityManager, table: RawTable<T>, sql: string, params: unknown[]): Promise<T[]> {
  const rows = await selectRows(manager, sql, params);
  return rows.map((row) => table.hydrate(row));
}
