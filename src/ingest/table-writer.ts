// Batched upserts on natural keys, derived from the TypeORM metadata of the target entity:
// one `INSERT ... SELECT FROM unnest(...) ON CONFLICT (key) DO UPDATE ... WHERE row IS DISTINCT
// FROM EXCLUDED RETURNING (xmax = 0)` per batch, so a batch of thousands of rows is one
// statement, and inserted / updated / unchanged rows are counted by PostgreSQL itself.
import type { EntityManager } from 'typeorm';
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
}

export interface TableCounts {
  inserted: number;
  updated: number;
  unchanged: number;
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
      if (skip.has(column.property) || ['source', 'importRunId', 'updatedAt'].includes(column.property)) continue;
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
        const digits = String(value).replace(/^-/, '').split('.')[0].replace(/^0+/, '').length;
        if (digits > column.integerDigits) return `${column.name} is out of range`;
      }
      if (column.integer && typeof value === 'number' && Math.abs(value) > 2147483647) return `${column.name} is out of range`;
    }
    return null;
  }
}

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
}

/** Collects records for one table and writes them in batches. */
export class TableWriter {
  readonly shape: TableShape;
  readonly counts: TableCounts = { inserted: 0, updated: 0, unchanged: 0 };
  private pending = new Map<string, PendingRecord>();
  private duplicates = 0;
  private readonly insertOnly: Set<string>;
  private readonly accountGuard: boolean;
  private readonly parentShape?: TableShape;

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
  }

  get size(): number {
    return this.pending.size;
  }

  /** Checks a record against the table (required columns, lengths, ranges); null when writable. */
  check(values: RecordValues): string | null {
    const skip = new Set<string>(this.target.parent ? [this.target.parent.property] : []);
    const problem = this.shape.problem(values, skip);
    return problem ? `${this.target.noun}: ${problem}` : null;
  }

  add(record: PendingRecord): void {
    const link = this.target.parent;
    const key = this.target.key.map((k) => String(record.values[link && k === link.property ? link.via : k] ?? '')).join('\u0000');
    if (this.pending.has(key)) this.duplicates++;
    this.pending.set(key, record);
  }

  /** Writes the pending records; returns the lines refused by the database checks. */
  async flush(ctx: WriteContext): Promise<Rejection[]> {
    if (this.pending.size === 0) return [];
    let records = [...this.pending.values()];
    this.pending = new Map();
    this.counts.unchanged += this.duplicates;
    this.duplicates = 0;
    const rejections: Rejection[] = [];
    if (this.accountGuard) records = await this.guardAccount(ctx, records, rejections);
    if (this.target.parent) records = await this.resolveParents(ctx, records, rejections);
    for (const reference of this.target.references ?? []) records = await this.checkReference(ctx, reference, records, rejections);
    // Records of one table may differ in the columns they carry (fields absent from a file are
    // left as they are): one statement per column set.
    const groups = new Map<string, PendingRecord[]>();
    for (const record of records) {
      const signature = Object.keys(record.values)
        .filter((p) => record.values[p] !== undefined && this.shape.columns.has(p))
        .sort()
        .join(',');
      const group = groups.get(signature) ?? [];
      group.push(record);
      groups.set(signature, group);
    }
    for (const [signature, group] of groups) await this.upsert(ctx, signature.split(','), group);
    return rejections;
  }

  private async upsert(ctx: WriteContext, properties: string[], records: PendingRecord[]): Promise<void> {
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
    const conflict =
      compared.length === 0
        ? 'DO NOTHING'
        : `DO UPDATE SET ${sets.join(', ')} WHERE (${compared.map((n) => `${t}.${n}`).join(', ')}${compared.length === 1 ? ', NULL' : ''}) IS DISTINCT FROM (${compared.map((n) => `EXCLUDED.${n}`).join(', ')}${compared.length === 1 ? ', NULL' : ''})`;
    const sql =
      `INSERT INTO ${t} (${names.join(', ')}) ` +
      `SELECT ${selects.join(', ')} FROM unnest(${columns.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${columns.map((_, i) => `c${i}`).join(', ')}) WHERE true ` +
      `ON CONFLICT (${keyNames.join(', ')}) ${conflict} RETURNING (xmax = 0) AS inserted`;
    const rows: { inserted: boolean }[] = await ctx.manager.query(sql, values);
    const inserted = rows.filter((r) => r.inserted).length;
    this.counts.inserted += inserted;
    this.counts.updated += rows.length - inserted;
    this.counts.unchanged += records.length - rows.length;
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
    const rows: { k: string }[] = await ctx.manager.query(
      `SELECT ${keyColumn}::text AS k FROM ${quote(shape.table)} WHERE ${keyColumn} = ANY($1::text[])` +
        (scoped ? ` AND ${quote(shape.column('sellerAccountId').name)} = $2` : ''),
      scoped ? [wanted, ctx.sellerAccountId] : [wanted],
    );
    const found = new Set(rows.map((row) => row.k));
    return records.filter((record) => {
      const value = record.values[reference.property];
      if (typeof value !== 'string' || found.has(value)) return true;
      rejections.push({ line: record.line, reason: `its ${reference.noun} is in neither this file nor the database (for this account)` });
      return false;
    });
  }

  private async resolveParents(ctx: WriteContext, records: PendingRecord[], rejections: Rejection[]): Promise<PendingRecord[]> {
    const link = this.target.parent!;
    const parent = this.parentShape!;
    const wanted = [...new Set(records.map((r) => r.values[link.via]).filter((v): v is string => typeof v === 'string'))];
    const ids = new Map<string, string>();
    if (wanted.length > 0) {
      const keyColumn = quote(parent.column(link.parentKey).name);
      const scoped = parent.columns.has('sellerAccountId');
      const rows: { id: string; k: string }[] = await ctx.manager.query(
        `SELECT id::text AS id, ${keyColumn}::text AS k FROM ${quote(parent.table)} WHERE ${keyColumn} = ANY($1::text[])` +
          (scoped ? ` AND ${quote(parent.column('sellerAccountId').name)} = $2` : ''),
        scoped ? [wanted, ctx.sellerAccountId] : [wanted],
      );
      for (const row of rows) ids.set(row.k, row.id);
    }
    const kept: PendingRecord[] = [];
    for (const record of records) {
      const via = record.values[link.via];
      const id = typeof via === 'string' ? ids.get(via) : undefined;
      const values = { ...record.values };
      delete values[link.via];
      if (id === undefined && !link.optional) {
        rejections.push({ line: record.line, reason: `its ${link.noun} is in neither this file nor the database (for this account)` });
        continue;
      }
      values[link.property] = id ?? null;
      kept.push({ line: record.line, values });
    }
    return kept;
  }
}
