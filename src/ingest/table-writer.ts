// Batched upserts on natural keys, derived from the TypeORM metadata of the target entity:
// one `INSERT ... SELECT FROM unnest(...) ON CONFLICT (key) DO UPDATE ... WHERE row IS DISTINCT
// FROM EXCLUDED RETURNING (xmax = 0)` per batch, so a batch of thousands of rows is one
// statement, and inserted / updated / unchanged rows are counted by PostgreSQL itself.
// No lookups per batch on the way in: a row owned by another account is left alone by the
// upsert's conflict clause (and looked for only among the rows the upsert did not write), and
// a child row takes its parent's id from what the parent's upsert of the same batch returned.
import type { EntityManager } from 'typeorm';
import type { RowScope } from '../auth/principal';
import { SCOPE_DECLARATIONS, type ScopeDeclaration } from '../db/scope-declarations';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

/** A row value as the writer receives it: text, number, boolean, ISO date string, JSON or null. */
export type CellValue = string | number | boolean | null | Record<string, unknown> | unknown[];
export type RecordValues = Record<string, CellValue | undefined>;

export interface ParentLink {
  /** Property of this entity holding the parent's surrogate id, e.g. `orderId`. */
  property: string;
  parent: Function;
  /** Natural key property of the parent, e.g. `amazonOrderId`. */
  parentKey: string;
  /** Field of the emitted record carrying the parent's natural key. */
  via: string;
  /** Null when the parent is unknown (instead of rejecting the row). */
  optional?: boolean;
  /** Human name used in rejection reasons, e.g. `order`. */
  noun: string;
}

export interface TableTarget {
  entity: Function;
  /** Natural key properties (a UNIQUE constraint or index of the table). */
  key: string[];
  /** Properties written when the row is inserted, never changed afterwards (defaults for fields a report lacks). */
  insertOnly?: string[];
  parent?: ParentLink;
  /** Foreign keys on natural keys (e.g. `adGroupId` -> ad_group): rows whose referenced row is missing are refused. */
  references?: { property: string; entity: Function; key: string; noun: string }[];
  /** Noun for rejection reasons, e.g. `listing`. */
  noun: string;
  /**
   * A table shared by every account (no account column, no parent): the rows of `entity` whose
   * `property` equals this row's `key` say who sees it (a product is seen through the listings of
   * its ASIN). An import whose principal is limited in scope leaves a shared row alone when rows
   * outside that scope see it; a shared table that does not say is never written by such an import.
   */
  sharedVia?: { entity: Function; property: string; key: string };
}

export interface TableCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows left as they are because they lie outside the importer's scope (see `ImportSummary.rowsOutOfScope`). */
  outOfScope?: number;
}

export interface PendingRecord {
  line: number;
  values: RecordValues;
}

export interface Rejection {
  line: number;
  reason: string;
}

interface ColumnInfo {
  property: string;
  name: string;
  sqlType: string;
  nullable: boolean;
  hasDefault: boolean;
  maxLength?: number;
  /** Digits before the decimal point allowed by numeric(p,s). */
  integerDigits?: number;
  integer?: boolean;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Columns the writer fills itself (never taken from a record). */
const PROVENANCE = new Set(['source', 'importRunId', 'updatedAt']);

/** Digits before the decimal point of a decimal text (`-00123.45` -> 3). */
function integerDigits(text: string): number {
  let i = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  while (i < text.length && text.charCodeAt(i) === 48 /* 0 */) i++;
  let digits = 0;
  while (i < text.length && text.charCodeAt(i) !== 46 /* . */) {
    i++;
    digits++;
  }
  return digits;
}

function sqlTypeOf(column: ColumnMetadata, metadata: EntityMetadata): string {
  const type = typeof column.type === 'string' ? column.type : metadata.connection.driver.normalizeType(column);
  switch (type) {
    case 'varchar':
    case 'character varying':
    case 'char':
    case 'character':
    case 'text':
    case 'uuid':
      return 'text';
    case 'numeric':
    case 'decimal':
      return 'numeric';
    case 'int':
    case 'int4':
    case 'integer':
      return 'integer';
    case 'bigint':
    case 'int8':
      return 'bigint';
    case 'timestamptz':
    case 'timestamp with time zone':
      return 'timestamptz';
    case 'date':
      return 'date';
    case 'boolean':
    case 'bool':
      return 'boolean';
    case 'jsonb':
      return 'jsonb';
    case 'json':
      return 'json';
    default:
      return String(type);
  }
}

/** The writable columns of an entity, by property name. */
export class TableShape {
  readonly table: string;
  readonly columns = new Map<string, ColumnInfo>();

  constructor(readonly metadata: EntityMetadata) {
    this.table = metadata.tableName;
    for (const column of metadata.columns) {
      // Relation-only columns (no property of their own) are written through their FK property.
      if (column.isGenerated || column.isCreateDate || column.isVirtual) continue;
      if (column.relationMetadata && column.propertyName === column.relationMetadata.propertyName) continue;
      const sqlType = sqlTypeOf(column, metadata);
      const length = column.length ? Number(column.length) : undefined;
      this.columns.set(column.propertyName, {
        property: column.propertyName,
        name: column.databaseName,
        sqlType,
        nullable: column.isNullable,
        hasDefault: column.default !== undefined,
        maxLength: sqlType === 'text' && length ? length : undefined,
        integerDigits: sqlType === 'numeric' && column.precision ? column.precision - (column.scale ?? 0) : undefined,
        integer: sqlType === 'integer',
      });
    }
  }

  column(property: string): ColumnInfo {
    const column = this.columns.get(property);
    if (!column) throw new Error(`${this.table} has no column for property ${property}`);
    return column;
  }

  /** Why a record cannot be written to this table (names only, never values), or null. */
  problem(values: RecordValues, skip: ReadonlySet<string>): string | null {
    for (const column of this.columns.values()) {
      if (skip.has(column.property) || PROVENANCE.has(column.property)) continue;
      const value = values[column.property];
      if (value === undefined) {
        if (!column.nullable && !column.hasDefault) return `${column.name} is missing`;
        continue;
      }
      if (value === null) {
        if (!column.nullable) return `${column.name} is empty`;
        continue;
      }
      if (column.maxLength !== undefined && typeof value === 'string' && value.length > column.maxLength) {
        return `${column.name} is longer than ${column.maxLength} characters`;
      }
      if (column.integerDigits !== undefined) {
        if (integerDigits(String(value)) > column.integerDigits) return `${column.name} is out of range`;
      }
      if (column.integer && typeof value === 'number' && Math.abs(value) > 2147483647) return `${column.name} is out of range`;
    }
    return null;
  }
}

/** Whether `value` lies in `set` (null: every value); a value missing (no column) lies in no limited set. */
function inSet(set: readonly string[] | null, value: unknown): boolean {
  if (set === null) return true;
  return typeof value === 'string' && set.includes(value);
}

/** Whether a row of `account` and `marketplace` lies within `scope`. */
function rowWithinScope(scope: RowScope, account: unknown, marketplace: unknown): boolean {
  return inSet(scope.accounts, account) && inSet(scope.marketplaces, marketplace);
}

/** The declared scope of an entity, or of the nearest class it extends that has one. */
function declarationOf(entity: Function): ScopeDeclaration | undefined {
  for (let target: unknown = entity; target; target = Object.getPrototypeOf(target)) {
    const declaration = SCOPE_DECLARATIONS.get(target as Function);
    if (declaration) return declaration;
  }
  return undefined;
}

/** The account and marketplace columns of a table whose rows carry their own scope (`row` declaration). */
interface ScopeColumns {
  account?: ColumnInfo;
  marketplace?: ColumnInfo;
}

function scopeColumnsOf(shape: TableShape, entity: Function): ScopeColumns | null {
  const declaration = declarationOf(entity);
  if (!declaration || declaration.kind !== 'row') return null;
  return {
    account: declaration.account && shape.columns.has(declaration.account) ? shape.column(declaration.account) : undefined,
    marketplace: declaration.marketplace && shape.columns.has(declaration.marketplace) ? shape.column(declaration.marketplace) : undefined,
  };
}

const isLimited = (scope: RowScope) => scope.accounts !== null || scope.marketplaces !== null;

function toText(value: CellValue | undefined, sqlType: string): string | null {
  if (value === null || value === undefined) return null;
  if (sqlType === 'jsonb' || sqlType === 'json') return JSON.stringify(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export interface WriteContext {
  manager: EntityManager;
  importRunId: string;
  source: string;
  sellerAccountId: string;
  /** The importing principal's row scope: rows other scopes see are not changed (see `sharedVia`). */
  scope: RowScope;
}

/** Records taken from a writer to be written (see `take` and `write`). */
export interface Batch {
  records: PendingRecord[];
  duplicates: number;
}

/** Collects records for one table and writes them in batches. */
export class TableWriter {
  readonly shape: TableShape;
  readonly counts: TableCounts = { inserted: 0, updated: 0, unchanged: 0 };
  private pending = new Map<string, PendingRecord>();
  private duplicates = 0;
  private readonly insertOnly: Set<string>;
  private readonly accountGuard: boolean;
  /** No account column and no parent: every account's row (see `TableTarget.sharedVia`). */
  private readonly shared: boolean;
  private readonly parentShape?: TableShape;
  private readonly checkSkip: ReadonlySet<string>;
  /** Writable properties in a fixed order: a record's column set is a mask over them. */
  private readonly properties: string[];
  /** The writer of this table's parent in the same import, when there is one (see `linkParent`). */
  private parentWriter?: TableWriter;
  /**
   * The account guard inside the upsert (a conflicting row of another account is not updated,
   * then refused) instead of a lookup before it; for tables with no other checks, so the
   * rejections keep their order.
   */
  private readonly foldGuard: boolean;
  /** Whether a child writer reads `writtenIds`. */
  private keepIds = false;
  /** Natural key -> id of the rows the last `write` inserted or updated (single-column keys). */
  readonly writtenIds = new Map<string, string>();
  /** Natural keys (single-column) the last `write` left alone as outside the importer's scope (for child writers). */
  readonly leftOutOfScope = new Set<string>();
  /**
   * The columns saying which account and marketplace a row belongs to (its scope declaration);
   * null when the scope is held by a parent (child rows) or by other tables (shared rows).
   */
  private readonly scopeColumns: ScopeColumns | null;
  /** Scope columns not in the natural key: an existing row with that key may lie in another marketplace. */
  private readonly scopeOutsideKey: ColumnInfo[];

  constructor(
    readonly target: TableTarget,
    manager: EntityManager,
  ) {
    this.shape = new TableShape(manager.connection.getMetadata(target.entity));
    this.insertOnly = new Set(target.insertOnly ?? []);
    for (const key of target.key) this.shape.column(key);
    // Natural keys without the account (global Amazon ids): a key owned by another account is refused.
    this.accountGuard = this.shape.columns.has('sellerAccountId') && !target.key.includes('sellerAccountId');
    if (target.parent) this.parentShape = new TableShape(manager.connection.getMetadata(target.parent.parent));
    this.shared = !this.shape.columns.has('sellerAccountId') && !target.parent;
    this.foldGuard = this.accountGuard && !target.parent && !target.references?.length;
    this.checkSkip = new Set<string>(target.parent ? [target.parent.property] : []);
    this.properties = [...this.shape.columns.keys()].sort();
    this.scopeColumns = scopeColumnsOf(this.shape, target.entity);
    this.scopeOutsideKey = this.scopeColumns
      ? [this.scopeColumns.account, this.scopeColumns.marketplace].filter((c): c is ColumnInfo => c !== undefined && !target.key.includes(c.property))
      : [];
  }

  /**
   * Lets this writer take parent ids from `parent`'s writes (the parent table, keyed on the
   * parent key alone) before asking the database; `parent` must write before this writer.
   */
  linkParent(parent: TableWriter): boolean {
    const link = this.target.parent;
    if (!link || parent.target.entity !== link.parent || parent.target.key.length !== 1 || parent.target.key[0] !== link.parentKey) return false;
    if (!parent.shape.metadata.primaryColumns.some((c) => c.databaseName === 'id')) return false;
    this.parentWriter = parent;
    parent.keepIds = true;
    return true;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Checks a record against the table (required columns, lengths, ranges); null when writable. */
  check(values: RecordValues): string | null {
    const problem = this.shape.problem(values, this.checkSkip);
    return problem ? `${this.target.noun}: ${problem}` : null;
  }

  add(record: PendingRecord): void {
    const link = this.target.parent;
    const keys = this.target.key;
    let key = '';
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (i > 0) key += '\u0000';
      key += String(record.values[link && k === link.property ? link.via : k] ?? '');
    }
    if (this.pending.has(key)) this.duplicates++;
    this.pending.set(key, record);
  }

  /** Writes the pending records; returns the lines refused by the database checks. */
  async flush(ctx: WriteContext): Promise<Rejection[]> {
    return this.write(ctx, this.take());
  }

  /** Takes the pending records (to be written by `write`); the writer starts a new batch. */
  take(): Batch {
    const batch = { records: [...this.pending.values()], duplicates: this.duplicates };
    this.pending = new Map();
    this.duplicates = 0;
    return batch;
  }

  /** Writes a batch from `take`; returns the lines refused by the database checks. */
  async write(ctx: WriteContext, batch: Batch): Promise<Rejection[]> {
    this.writtenIds.clear();
    this.leftOutOfScope.clear();
    if (batch.records.length === 0) return [];
    let records = batch.records;
    this.counts.unchanged += batch.duplicates;
    const rejections: Rejection[] = [];
    if (this.shared && (ctx.scope.accounts || ctx.scope.marketplaces)) records = await this.keepWithinScope(ctx, records);
    // Rows carrying their own account and marketplace; a child row without them is in its parent's scope (`resolveParents`).
    else if (isLimited(ctx.scope) && (this.scopeColumns || !this.target.parent)) records = await this.keepRowsWithinScope(ctx, records);
    if (this.accountGuard && !this.foldGuard) records = await this.guardAccount(ctx, records, rejections);
    if (this.target.parent) records = await this.resolveParents(ctx, records, rejections);
    for (const reference of this.target.references ?? []) records = await this.checkReference(ctx, reference, records, rejections);
    // Records of one table may differ in the columns they carry (fields absent from a file are
    // left as they are): one statement per column set.
    const groups = new Map<string, PendingRecord[]>();
    const properties = this.properties;
    for (const record of records) {
      let signature = '';
      for (const p of properties) signature += record.values[p] === undefined ? '0' : '1';
      const group = groups.get(signature);
      if (group) group.push(record);
      else groups.set(signature, [record]);
    }
    for (const [signature, group] of groups) {
      const written = properties.filter((_, i) => signature[i] === '1');
      await this.upsert(ctx, written, group, rejections);
    }
    return rejections;
  }

  private async upsert(ctx: WriteContext, properties: string[], records: PendingRecord[], rejections: Rejection[]): Promise<void> {
    const columns = properties.map((p) => this.shape.column(p));
    const params: (string | null)[][] = columns.map(() => []);
    for (const record of records) {
      columns.forEach((column, i) => params[i].push(toText(record.values[column.property], column.sqlType)));
    }
    const provenance = ['source', 'importRunId', 'updatedAt'].filter((p) => this.shape.columns.has(p));
    const names = [...columns.map((c) => quote(c.name)), ...provenance.map((p) => quote(this.shape.column(p).name))];
    const selects = columns.map((c, i) => `u.c${i}::${c.sqlType === 'text' ? 'text' : c.sqlType}`);
    const values: unknown[] = [...params];
    for (const p of provenance) {
      if (p === 'updatedAt') selects.push('now()');
      else {
        values.push(p === 'source' ? ctx.source : ctx.importRunId);
        selects.push(`$${values.length}${p === 'importRunId' ? '::uuid' : ''}`);
      }
    }
    const keyNames = this.target.key.map((k) => quote(this.shape.column(k).name));
    const updatable = columns.filter((c) => !this.target.key.includes(c.property) && !this.insertOnly.has(c.property));
    const t = quote(this.shape.table);
    const sets = [
      ...updatable.map((c) => `${quote(c.name)} = EXCLUDED.${quote(c.name)}`),
      ...provenance.map((p) => {
        const name = quote(this.shape.column(p).name);
        return p === 'updatedAt' ? `${name} = now()` : `${name} = EXCLUDED.${name}`;
      }),
    ];
    const compared = updatable.map((c) => quote(c.name));
    // Folded account guard: a row of another account is never updated (and refused below).
    let owner = '';
    if (this.foldGuard) {
      values.push(ctx.sellerAccountId);
      owner = `${t}.${quote(this.shape.column('sellerAccountId').name)} = $${values.length} AND `;
    }
    // A row outside the importer's scope is never updated (nor moved into it), whatever it became
    // since `keepRowsWithinScope` looked.
    for (const column of this.scopeOutsideKey) {
      const set = column === this.scopeColumns?.account ? ctx.scope.accounts : ctx.scope.marketplaces;
      if (!set) continue;
      values.push([...set]);
      owner += `${t}.${quote(column.name)} = ANY($${values.length}::text[]) AND `;
    }
    const conflict =
      compared.length === 0
        ? 'DO NOTHING'
        : `DO UPDATE SET ${sets.join(', ')} WHERE ${owner}(${compared.map((n) => `${t}.${n}`).join(', ')}${compared.length === 1 ? ', NULL' : ''}) IS DISTINCT FROM (${compared.map((n) => `EXCLUDED.${n}`).join(', ')}${compared.length === 1 ? ', NULL' : ''})`;
    // The written rows' keys when the guard needs the rest, their ids when a child writer needs them.
    const returning = ['(xmax = 0) AS inserted'];
    if (this.foldGuard || this.keepIds) keyNames.forEach((name, i) => returning.push(`${name}::text AS k${i}`));
    if (this.keepIds) returning.push('id::text AS id');
    const sql =
      `INSERT INTO ${t} (${names.join(', ')}) ` +
      `SELECT ${selects.join(', ')} FROM unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${columns.map((_, i) => `c${i}`).join(', ')}) WHERE true ` +
      `ON CONFLICT (${keyNames.join(', ')}) ${conflict} RETURNING ${returning.join(', ')}`;
    const rows: { inserted: boolean; k0?: string; id?: string }[] = await ctx.manager.query(sql, values);
    let inserted = 0;
    for (const row of rows) if (row.inserted) inserted++;
    if (this.keepIds) for (const row of rows) this.writtenIds.set(row.k0!, row.id!);
    let foreign = 0;
    if (this.foldGuard && rows.length < records.length) foreign = await this.refuseForeign(ctx, records, rows, rejections);
    this.counts.inserted += inserted;
    this.counts.updated += rows.length - inserted;
    this.counts.unchanged += records.length - rows.length - foreign;
  }

  /**
   * The records of a shared table that no row outside the importer's scope sees (through
   * `sharedVia`); the others are left as they are and counted as `outOfScope`.
   */
  private async keepWithinScope(ctx: WriteContext, records: PendingRecord[]): Promise<PendingRecord[]> {
    const via = this.target.sharedVia;
    const declaration = via ? SCOPE_DECLARATIONS.get(via.entity) : undefined;
    if (!via || !declaration || declaration.kind !== 'row') {
      this.counts.outOfScope = (this.counts.outOfScope ?? 0) + records.length;
      return [];
    }
    const seer = new TableShape(ctx.manager.connection.getMetadata(via.entity));
    const keys = [...new Set(records.map((r) => toText(r.values[via.key], 'text')).filter((v): v is string => v !== null))];
    const params: unknown[] = [keys];
    const within: string[] = [];
    const limit = (property: string | undefined, values: readonly string[] | null) => {
      if (!values) return;
      if (!property) within.push('FALSE');
      else {
        params.push([...values]);
        within.push(`s.${quote(seer.column(property).name)} = ANY($${params.length}::text[])`);
      }
    };
    limit(declaration.account, ctx.scope.accounts);
    limit(declaration.marketplace, ctx.scope.marketplaces);
    const column = `s.${quote(seer.column(via.property).name)}`;
    const seen: { k: string }[] = await ctx.manager.query(
      `SELECT DISTINCT ${column}::text AS k FROM ${quote(seer.table)} s WHERE ${column} = ANY($1::text[]) AND NOT (${within.join(' AND ')})`,
      params,
    );
    if (seen.length === 0) return records;
    const outside = new Set(seen.map((row) => row.k));
    const kept = records.filter((record) => !outside.has(toText(record.values[via.key], 'text') ?? ''));
    this.counts.outOfScope = (this.counts.outOfScope ?? 0) + records.length - kept.length;
    return kept;
  }

  /** Counts records left alone as outside the importer's scope (and remembers their keys for child writers). */
  private leaveOutOfScope(records: PendingRecord[]): void {
    if (records.length === 0) return;
    this.counts.outOfScope = (this.counts.outOfScope ?? 0) + records.length;
    if (this.keepIds) {
      for (const record of records) {
        const key = toText(record.values[this.target.key[0]], 'text');
        if (key !== null) this.leftOutOfScope.add(key);
      }
    }
  }

  /**
   * The records of a table whose rows carry their account and marketplace that the importer's
   * scope holds: a record of an account or marketplace outside it is not written, and neither is
   * a record whose key names an existing row of the importing account in a marketplace (or
   * account) outside it (it is neither changed nor moved into the scope); both are counted as
   * `outOfScope`. Existing rows of other accounts are left to the account guard (refused).
   */
  private async keepRowsWithinScope(ctx: WriteContext, records: PendingRecord[]): Promise<PendingRecord[]> {
    const columns = this.scopeColumns;
    if (!columns) {
      // No declared scope of its own and no parent: only principals not limited in scope write it.
      this.leaveOutOfScope(records);
      return [];
    }
    const outside: PendingRecord[] = [];
    let kept = records.filter((record) => {
      const account = columns.account ? record.values[columns.account.property] : undefined;
      const marketplace = columns.marketplace ? record.values[columns.marketplace.property] : undefined;
      if (rowWithinScope(ctx.scope, account, marketplace)) return true;
      outside.push(record);
      return false;
    });
    const limits = this.scopeOutsideKey.filter((column) => (column === columns.account ? ctx.scope.accounts : ctx.scope.marketplaces) !== null);
    if (kept.length > 0 && limits.length > 0) {
      const keys = this.target.key;
      const cols = keys.map((k) => quote(this.shape.column(k).name));
      const first = [...new Set(kept.map((r) => toText(r.values[keys[0]], 'text')).filter((v): v is string => v !== null))];
      const params: unknown[] = [first];
      const within = limits.map((column) => {
        params.push([...(column === columns.account ? ctx.scope.accounts! : ctx.scope.marketplaces!)]);
        return `${quote(column.name)} = ANY($${params.length}::text[])`;
      });
      let sameAccount = '';
      if (columns.account && !keys.includes(columns.account.property)) {
        params.push(ctx.sellerAccountId);
        sameAccount = ` AND ${quote(columns.account.name)} = $${params.length}`;
      }
      // `col = ANY($1)` on the key's leading column: an index scan, whatever the batch size.
      const found: Record<string, string>[] = await ctx.manager.query(
        `SELECT ${cols.map((c, i) => `${c}::text AS k${i}`).join(', ')} FROM ${quote(this.shape.table)} ` +
          `WHERE ${cols[0]} = ANY($1::text[])${sameAccount} AND NOT (${within.join(' AND ')})`,
        params,
      );
      if (found.length > 0) {
        const taken = new Set(found.map((row) => keys.map((_, i) => row[`k${i}`]).join('\u0000')));
        kept = kept.filter((record) => {
          if (!taken.has(keys.map((k) => toText(record.values[k], 'text')).join('\u0000'))) return true;
          outside.push(record);
          return false;
        });
      }
    }
    this.leaveOutOfScope(outside);
    return kept;
  }

  /** The records the upsert did not write that belong to another account: refused. */
  private async refuseForeign(ctx: WriteContext, records: PendingRecord[], written: Record<string, unknown>[], rejections: Rejection[]): Promise<number> {
    const keys = this.target.key;
    const keyOf = (record: PendingRecord) => keys.map((k) => toText(record.values[k], 'text')).join('\u0000');
    const done = new Set(written.map((row) => keys.map((_, i) => row[`k${i}`]).join('\u0000')));
    const rest = records.filter((record) => !done.has(keyOf(record)));
    if (rest.length === 0) return 0;
    const refused: Rejection[] = [];
    await this.guardAccount(ctx, rest, refused);
    rejections.push(...refused);
    return refused.length;
  }

  private async guardAccount(ctx: WriteContext, records: PendingRecord[], rejections: Rejection[]): Promise<PendingRecord[]> {
    const keys = this.target.key;
    const cols = keys.map((k) => quote(this.shape.column(k).name));
    const first = [...new Set(records.map((r) => toText(r.values[keys[0]], 'text')).filter((v): v is string => v !== null))];
    // `col = ANY($1)` on the key's leading column: an index scan, whatever the batch size.
    const foreign: Record<string, string>[] = await ctx.manager.query(
      `SELECT ${cols.map((c, i) => `${c}::text AS k${i}`).join(', ')} FROM ${quote(this.shape.table)} ` +
        `WHERE ${cols[0]} = ANY($1::text[]) AND ${quote(this.shape.column('sellerAccountId').name)} <> $2`,
      [first, ctx.sellerAccountId],
    );
    if (foreign.length === 0) return records;
    const owned = new Set(foreign.map((row) => keys.map((_, i) => row[`k${i}`]).join('\u0000')));
    return records.filter((record) => {
      const key = keys.map((k) => toText(record.values[k], 'text')).join('\u0000');
      if (!owned.has(key)) return true;
      rejections.push({ line: record.line, reason: `${this.target.noun} already belongs to another seller account` });
      return false;
    });
  }

  private async checkReference(
    ctx: WriteContext,
    reference: NonNullable<TableTarget['references']>[number],
    records: PendingRecord[],
    rejections: Rejection[],
  ): Promise<PendingRecord[]> {
    const shape = new TableShape(ctx.manager.connection.getMetadata(reference.entity));
    const wanted = [...new Set(records.map((r) => r.values[reference.property]).filter((v): v is string => typeof v === 'string'))];
    if (wanted.length === 0) return records;
    const keyColumn = quote(shape.column(reference.key).name);
    const scoped = shape.columns.has('sellerAccountId');
    // A referenced row outside the importer's scope is not linked to: the record is left out of scope.
    const columns = isLimited(ctx.scope) ? scopeColumnsOf(shape, reference.entity) : null;
    const rows: { k: string; a?: string | null; m?: string | null }[] = await ctx.manager.query(
      `SELECT ${keyColumn}::text AS k` +
        (columns?.account ? `, ${quote(columns.account.name)}::text AS a` : '') +
        (columns?.marketplace ? `, ${quote(columns.marketplace.name)}::text AS m` : '') +
        ` FROM ${quote(shape.table)} WHERE ${keyColumn} = ANY($1::text[])` +
        (scoped ? ` AND ${quote(shape.column('sellerAccountId').name)} = $2` : ''),
      scoped ? [wanted, ctx.sellerAccountId] : [wanted],
    );
    const found = new Set<string>();
    const outside = new Set<string>();
    for (const row of rows) {
      if (!columns || rowWithinScope(ctx.scope, columns.account ? row.a : undefined, columns.marketplace ? row.m : undefined)) found.add(row.k);
      else outside.add(row.k);
    }
    const leftOut: PendingRecord[] = [];
    const kept = records.filter((record) => {
      const value = record.values[reference.property];
      if (typeof value !== 'string' || found.has(value)) return true;
      if (outside.has(value)) {
        leftOut.push(record);
        return false;
      }
      rejections.push({ line: record.line, reason: `its ${reference.noun} is in neither this file nor the database (for this account)` });
      return false;
    });
    this.leaveOutOfScope(leftOut);
    return kept;
  }

  private async resolveParents(ctx: WriteContext, records: PendingRecord[], rejections: Rejection[]): Promise<PendingRecord[]> {
    const link = this.target.parent!;
    const parent = this.parentShape!;
    const known = this.parentWriter?.writtenIds;
    const ids = new Map<string, string>();
    const wanted = new Set<string>();
    // Parents outside the importer's scope (left alone by the parent writer, or found so in the
    // database): their children are not written either.
    const outside = new Set<string>(this.parentWriter?.leftOutOfScope ?? []);
    for (const record of records) {
      const via = record.values[link.via];
      if (typeof via !== 'string' || outside.has(via)) continue;
      const id = known?.get(via);
      if (id !== undefined) ids.set(via, id);
      else wanted.add(via);
    }
    if (wanted.size > 0) {
      const keyColumn = quote(parent.column(link.parentKey).name);
      const scoped = parent.columns.has('sellerAccountId');
      const columns = isLimited(ctx.scope) ? scopeColumnsOf(parent, link.parent) : null;
      const marketplace = columns?.marketplace;
      // By key alone (the account is compared here): a condition on the account column can make
      // the planner scan all of the account's rows when the table's statistics are behind (a
      // table that just grew by a large import), instead of probing the key index.
      const rows: { id: string; k: string; a: string | null; m?: string | null }[] = await ctx.manager.query(
        `SELECT id::text AS id, ${keyColumn}::text AS k` +
          (scoped ? `, ${quote(parent.column('sellerAccountId').name)}::text AS a` : '') +
          (marketplace ? `, ${quote(marketplace.name)}::text AS m` : '') +
          ` FROM ${quote(parent.table)} WHERE ${keyColumn} = ANY($1::text[])`,
        [[...wanted]],
      );
      for (const row of rows) {
        if (scoped && row.a !== ctx.sellerAccountId) continue;
        if (isLimited(ctx.scope) && (!columns || !rowWithinScope(ctx.scope, columns.account ? row.a : undefined, marketplace ? row.m : undefined))) outside.add(row.k);
        else ids.set(row.k, row.id);
      }
    }
    const kept: PendingRecord[] = [];
    const leftOut: PendingRecord[] = [];
    for (const record of records) {
      const via = record.values[link.via];
      if (typeof via === 'string' && outside.has(via) && !link.optional) {
        leftOut.push(record);
        continue;
      }
      const id = typeof via === 'string' ? ids.get(via) : undefined;
      if (id === undefined && !link.optional) {
        rejections.push({ line: record.line, reason: `its ${link.noun} is in neither this file nor the database (for this account)` });
        continue;
      }
      // The record is the writer's own: the parent id is set in place (the `via` field is no
      // column of the table, so it is not written).
      record.values[link.property] = id ?? null;
      kept.push(record);
    }
    this.leaveOutOfScope(leftOut);
    return kept;
  }
}
