// One import: a file (or stream) in, an import run and upserted rows out, in ONE transaction.
// Order of work: the account and marketplace are checked, the bytes decoded, the format and
// report type recognized, all before anything is written; then rows stream through the mapper
// into batched upserts; any failure rolls everything back and leaves a FAILED run on record.
// While one batch is written, the next one is read and mapped (one batch in flight at most, on
// the import's own connection); a row refused by the mapper first waits for the batch in flight,
// so rejections keep their order and --max-errors stops at the same row.
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import type { DataSource, EntityManager } from 'typeorm';
import { DataSourceKind } from '../../entities/common/provenance';
import type { RowScope } from '../auth/principal';
import { ImportRun } from '../../entities/system-logs/import-run.entity';
import { openText, type DecodedText } from './decode';
import { readCsv, readTsv, splitLines } from './flat-file.parser';
import { FlatRow, HeaderMap } from './headers';
import { ImportError } from './import-error';
import { parseJsonDocument, readAll } from './json-documents';
import { knownMarketplace, marketplaceByCountry, marketplaceBySalesChannel, type KnownMarketplace } from './marketplaces';
import { RowError, json, type Emit, type FlatDefinition, type JsonDefinition, type MapContext, type ReportDefinition } from './report';
import { definitionByType, detectFlat, detectJson, isPersonalOnlyResponse } from './report-types';
import { TableWriter, type Rejection, type TableCounts } from './table-writer';
import { isExcelDamaged } from './values';

export interface ImportProgress {
  rowsRead: number;
  rowsRejected: number;
  bytesRead: number;
}

/** Structured log sink (pino-compatible). Only names, counts and codes are logged, never values. */
export interface ImportLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ImportOptions {
  /** A file to read, or `stream` (e.g. an HTTP request body) with `fileName`. */
  path?: string;
  stream?: Readable;
  fileName?: string;
  /** Report type; recognized from the header or shape when omitted. */
  type?: string;
  /** Seller account (must be registered and authorized). */
  account: string;
  /** Marketplace id (must be registered for the account); taken from the file when it names one. */
  marketplace?: string;
  /** `utf-8`, `cp1252`, `cp932`...; detected when omitted. */
  encoding?: string;
  /** Bad rows that may be skipped and listed; above this nothing is written. Default 0. */
  maxErrors?: number;
  /** Principal id, or `cli:<os user>`. */
  importedBy: string;
  /** The importing principal's row scope: rows that other scopes see are left as they are (`rowsOutOfScope`). */
  scope: RowScope;
  /** Overrides the definition's source (e.g. INTERNAL_UPLOAD for staff uploads). */
  source?: DataSourceKind;
  /** As-of day of snapshot reports (inventory, restock, fee preview). Default: now. */
  asOf?: Date;
  /** Rows per batched upsert. Default 5000. */
  batchSize?: number;
  onProgress?(progress: ImportProgress): void;
  logger?: ImportLogger;
}

export interface ImportSummary {
  importRunId: string | null;
  status: 'SUCCEEDED' | 'FAILED';
  fileName: string;
  sha256: string;
  bytes: number;
  encoding: string | null;
  reportType: string | null;
  reportLabel: string | null;
  /** How the type was chosen: `given`, or `detected from header` / `detected from shape` / `stream name`. */
  typeChosenBy: string | null;
  /** Report types with the same columns as the one recorded (a hint for `--type`). */
  alternativeTypes: string[];
  source: string | null;
  account: string;
  marketplace: string | null;
  importedBy: string;
  startedAt: string;
  finishedAt: string;
  rowsRead: number;
  /** Database rows across all tables written by this import. */
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  rowsRejected: number;
  /**
   * Rows left as they are because they lie outside the importer's scope: rows the file places in
   * an account or marketplace outside it (e.g. by `sales-channel`), existing rows of such a
   * marketplace its keys name (never overwritten nor moved), their child rows, and rows of shared
   * tables (products) that seller accounts or marketplaces outside the scope see.
   */
  rowsOutOfScope: number;
  tables: Record<string, TableCounts>;
  /** Personal columns (or JSON paths) dropped at the door: names only. */
  droppedColumns: string[];
  ignoredColumns: string[];
  /** Input records that are not rows of the report (e.g. repeated header lines, other streams), by kind. */
  skipped: Record<string, number>;
  rejectedLines: Rejection[];
  error: { code: string; message: string } | null;
}

const MAX_RECORDED_REJECTIONS = 1000;

interface AccountScope {
  sellerId: string;
  marketplaces: Map<string, KnownMarketplace>;
}

async function loadAccount(dataSource: DataSource, sellerId: string): Promise<AccountScope> {
  const accounts: { authorized: boolean }[] = await dataSource.query('SELECT authorized FROM seller_account WHERE seller_id = $1', [sellerId]);
  if (accounts.length === 0) {
    throw new ImportError('ACCOUNT_NOT_AUTHORIZED', `Seller account ${sellerId} is not registered: register it first (sellergate account add ${sellerId} --marketplaces ...); nothing was imported`);
  }
  if (!accounts[0].authorized) throw new ImportError('ACCOUNT_NOT_AUTHORIZED', `Seller account ${sellerId} is not authorized for imports: nothing was imported`);
  const rows: { marketplace_id: string; country_code: string; currency_code: string; sales_channel: string }[] = await dataSource.query(
    `SELECT m.marketplace_id, m.country_code, m.currency_code, m.sales_channel
       FROM seller_account_marketplace sm JOIN marketplace m ON m.marketplace_id = sm.marketplace_id
      WHERE sm.seller_id = $1`,
    [sellerId],
  );
  const marketplaces = new Map<string, KnownMarketplace>();
  for (const row of rows) {
    const known = knownMarketplace(row.marketplace_id);
    marketplaces.set(row.marketplace_id, {
      marketplaceId: row.marketplace_id,
      countryCode: row.country_code.trim(),
      currencyCode: row.currency_code.trim(),
      salesChannel: row.sales_channel,
      dateOrder: known?.dateOrder ?? 'DMY',
      decimalComma: known?.decimalComma ?? false,
      legacyEncoding: known?.legacyEncoding ?? 'cp1252',
    });
  }
  return { sellerId, marketplaces };
}

function authorizedMarketplace(scope: AccountScope, marketplaceId: string): KnownMarketplace {
  const mp = scope.marketplaces.get(marketplaceId);
  if (!mp) {
    throw new ImportError('MARKETPLACE_NOT_AUTHORIZED', `Marketplace ${marketplaceId} is not registered for seller account ${scope.sellerId}: nothing was imported`);
  }
  return mp;
}

type Input =
  | { format: 'flat'; definition: FlatDefinition; header: string[]; rows: AsyncIterable<{ line: number; cells: string[] }>; chosenBy: string; alternatives: string[] }
  | { format: 'json'; definition: JsonDefinition; records: AsyncIterable<{ line: number; record: Record<string, unknown> }>; dropped: string[]; chosenBy: string; scope: { sellerAccountId?: string; marketplaceId?: string } };

function sniff(head: string): 'json' | 'jsonl' | 'tsv' | 'csv' | 'unknown' {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  if (text.startsWith('[')) return 'json';
  if (text.startsWith('{')) {
    try {
      JSON.parse(firstLine);
      return text.slice(firstLine.length).trim() === '' ? 'json' : 'jsonl';
    } catch {
      return 'json';
    }
  }
  if (firstLine.includes('\t')) return 'tsv';
  if (firstLine.includes(',')) return 'csv';
  return 'unknown';
}

function checkGivenFlat(definition: ReportDefinition, header: string[]): FlatDefinition {
  const detected = detectFlat(header);
  if (definition.kind !== 'flat') {
    throw new ImportError('WRONG_TYPE', `The file is a flat file${detected ? ` (it looks like ${detected.definition.type})` : ''}, not ${definition.type}: nothing was imported`);
  }
  const map = new HeaderMap(header, definition.fields, definition.keepPersonal);
  const missing = map.missing(definition.required);
  if (missing.length > 0) {
    const hint = detected && detected.definition.type !== definition.type ? `; it looks like ${detected.definition.type}` : '';
    throw new ImportError('WRONG_TYPE', `The header does not match ${definition.type} (missing columns: ${missing.join(', ')})${hint}: nothing was imported`);
  }
  return definition;
}

async function flatInput(text: DecodedText, format: 'tsv' | 'csv', given?: ReportDefinition): Promise<Input> {
  const file = format === 'tsv' ? await readTsv(text.chunks) : await readCsv(text.chunks);
  if (given) return { format: 'flat', definition: checkGivenFlat(given, file.header), header: file.header, rows: file.rows, chosenBy: 'given', alternatives: [] };
  const detected = detectFlat(file.header);
  if (!detected) {
    throw new ImportError('UNKNOWN_TYPE', `The header matches no known report (first columns: ${file.header.slice(0, 5).map((h) => h.trim()).join(', ')}); name the type with --type: nothing was imported`);
  }
  const map = new HeaderMap(file.header, detected.definition.fields, detected.definition.keepPersonal);
  const missing = map.missing(detected.definition.required);
  if (missing.length) throw new ImportError('MISSING_COLUMNS', `The file looks like ${detected.definition.type} but lacks columns: ${missing.join(', ')}; nothing was imported`);
  return { format: 'flat', definition: detected.definition, header: file.header, rows: file.rows, chosenBy: 'detected from header', alternatives: detected.alternatives };
}

async function jsonDocumentInput(text: DecodedText, given?: ReportDefinition): Promise<Input> {
  const doc = parseJsonDocument(await readAll(text.chunks));
  if (isPersonalOnlyResponse(doc)) {
    throw new ImportError('UNSUPPORTED_FORMAT', 'This response holds only buyer personal data (name, e-mail, address), which the gateway does not store: nothing was imported');
  }
  let definition: JsonDefinition | null;
  if (given) {
    if (given.kind !== 'json' || !given.matches(doc)) {
      const detected = detectJson(doc);
      throw new ImportError('WRONG_TYPE', `The document is not a ${given.type} response${detected ? ` (it looks like ${detected.type})` : ''}: nothing was imported`);
    }
    definition = given;
  } else definition = detectJson(doc);
  if (!definition) throw new ImportError('UNKNOWN_TYPE', 'The JSON document matches no known API response; name the type with --type: nothing was imported');
  const records = definition.records(doc);
  async function* iterate() {
    yield* records;
  }
  return { format: 'json', definition, records: iterate(), dropped: definition.dropped?.(doc) ?? [], chosenBy: given ? 'given' : 'detected from shape', scope: definition.scope?.(doc) ?? {} };
}

/** Connector exports: JSON Lines of `{ stream, data }`; the stream names the report or API. */
async function jsonLinesInput(text: DecodedText, given: ReportDefinition | undefined, skip: (kind: string) => void): Promise<Input> {
  const lines = splitLines(text.chunks);
  const parse = (line: number, raw: string): Record<string, unknown> => {
    try {
      return json.object(JSON.parse(raw));
    } catch {
      throw new ImportError('TRUNCATED', `Line ${line} is not complete JSON: the file looks damaged or cut short; nothing was imported`);
    }
  };
  let first: { line: number; value: Record<string, unknown> } | undefined;
  for (;;) {
    const next = await lines.next();
    if (next.done) break;
    if (next.value.text.trim()) {
      first = { line: next.value.line, value: parse(next.value.line, next.value.text) };
      break;
    }
  }
  if (!first) throw new ImportError('EMPTY_FILE', 'The file holds no records: nothing was imported');
  const stream = typeof first.value.stream === 'string' ? first.value.stream : undefined;
  const flat = stream ? (given?.kind === 'flat' ? given : undefined) ?? (() => {
    try {
      const d = definitionByType(stream);
      return d.kind === 'flat' ? d : undefined;
    } catch {
      return undefined;
    }
  })() : undefined;
  const firstRecord = first;
  async function* all(): AsyncGenerator<{ line: number; value: Record<string, unknown> }> {
    yield firstRecord;
    for (;;) {
      const next = await lines.next();
      if (next.done) return;
      if (next.value.text.trim()) yield { line: next.value.line, value: parse(next.value.line, next.value.text) };
    }
  }
  if (flat && stream) {
    if (given && given.type !== flat.type) throw new ImportError('WRONG_TYPE', `The records are ${stream}, not ${given.type}: nothing was imported`);
    const header = Object.keys(json.object(first.value.data));
    async function* rows() {
      for await (const { line, value } of all()) {
        if (value.stream !== stream) {
          skip(`records of stream ${String(value.stream)}`);
          continue;
        }
        const data = json.object(value.data);
        yield { line, cells: header.map((k) => (data[k] === null || data[k] === undefined ? '' : String(data[k]))) };
      }
    }
    return { format: 'flat', definition: checkGivenFlat(flat, header), header, rows: rows(), chosenBy: given ? 'given' : 'stream name', alternatives: [] };
  }
  const definition = given ?? detectJson(first.value);
  if (!definition || definition.kind !== 'json' || !definition.matches(first.value)) {
    throw new ImportError(given ? 'WRONG_TYPE' : 'UNKNOWN_TYPE', `The records${stream ? ` (stream ${stream})` : ''} match no ${given ? given.type : 'known'} format: nothing was imported`);
  }
  const dropped = new Set<string>();
  async function* records() {
    for await (const { line, value } of all()) {
      for (const path of definition!.kind === 'json' ? (definition as JsonDefinition).dropped?.(value) ?? [] : []) dropped.add(path);
      for (const r of (definition as JsonDefinition).records(value)) yield { line, record: r.record };
    }
  }
  const input: Input = { format: 'json', definition, records: records(), dropped: [], chosenBy: given ? 'given' : 'stream name', scope: {} };
  // Personal paths are only known once every line is read: the array fills as records stream.
  Object.defineProperty(input, 'dropped', { get: () => [...dropped].sort() });
  return input;
}

class Run {
  rowsRead = 0;
  readonly rejected: Rejection[] = [];
  rejectedCount = 0;
  readonly skipped: Record<string, number> = {};
  writers: TableWriter[] = [];

  constructor(readonly maxErrors: number) {}

  reject(line: number, reason: string): void {
    this.rejectedCount++;
    if (this.rejected.length < MAX_RECORDED_REJECTIONS) this.rejected.push({ line, reason });
    if (this.rejectedCount > this.maxErrors) {
      const shown = this.rejected.slice(0, 5).map((r) => `line ${r.line}: ${r.reason}`).join('; ');
      throw new ImportError(
        'TOO_MANY_ERRORS',
        `${this.rejectedCount} rejected row(s), more than --max-errors ${this.maxErrors} allows (${shown}${this.rejectedCount > 5 ? '; ...' : ''}): nothing was imported`,
      );
    }
  }

  skip(kind: string): void {
    this.skipped[kind] = (this.skipped[kind] ?? 0) + 1;
  }
}

function dbErrorMessage(error: unknown): string {
  // PostgreSQL messages may quote values: only the SQLSTATE code is shown.
  const code = (error as { code?: unknown }).code;
  return `The import failed (${typeof code === 'string' ? `database error ${code}` : 'internal error'}): nothing was imported`;
}

/** Imports one file or stream; never throws for a bad file: the summary says what happened. */
export async function importFile(dataSource: DataSource, options: ImportOptions): Promise<ImportSummary> {
  const startedAt = new Date();
  const fileName = options.fileName ?? (options.path ? basename(options.path) : 'upload');
  const maxErrors = options.maxErrors ?? 0;
  const batchSize = options.batchSize ?? 5000;
  const asOf = options.asOf ?? startedAt;
  const run = new Run(maxErrors);
  const summary: ImportSummary = {
    importRunId: null,
    status: 'FAILED',
    fileName,
    sha256: '',
    bytes: 0,
    encoding: null,
    reportType: null,
    reportLabel: null,
    typeChosenBy: null,
    alternativeTypes: [],
    source: null,
    account: options.account,
    marketplace: options.marketplace ?? null,
    importedBy: options.importedBy,
    startedAt: startedAt.toISOString(),
    finishedAt: startedAt.toISOString(),
    rowsRead: 0,
    rowsInserted: 0,
    rowsUpdated: 0,
    rowsUnchanged: 0,
    rowsRejected: 0,
    rowsOutOfScope: 0,
    tables: {},
    droppedColumns: [],
    ignoredColumns: [],
    skipped: run.skipped,
    rejectedLines: run.rejected,
    error: null,
  };
  let text: DecodedText | undefined;
  let input: Input | undefined;
  let stream: Readable | undefined;
  try {
    const scope = await loadAccount(dataSource, options.account);
    let marketplace = options.marketplace ? authorizedMarketplace(scope, options.marketplace) : undefined;
    stream = options.stream ?? (options.path ? createReadStream(options.path) : undefined);
    if (!stream) throw new ImportError('EMPTY_FILE', 'No file given: nothing was imported');
    text = await openText(stream, { encoding: options.encoding, marketplace: marketplace ?? knownMarketplace(options.marketplace) });
    summary.encoding = text.choice.encoding;
    const given = options.type ? definitionByType(options.type) : undefined;
    const format = sniff(text.head);
    if (format === 'unknown') throw new ImportError('UNKNOWN_TYPE', 'The file is neither a tab-delimited report, a CSV export nor JSON: nothing was imported');
    input =
      format === 'tsv' || format === 'csv'
        ? await flatInput(text, format, given)
        : format === 'json'
          ? await jsonDocumentInput(text, given)
          : await jsonLinesInput(text, given, (kind) => run.skip(kind));
    const definition = input.definition;
    summary.reportType = definition.type;
    summary.reportLabel = definition.label;
    summary.typeChosenBy = input.chosenBy;
    summary.alternativeTypes = input.format === 'flat' ? input.alternatives : [];
    summary.source = options.source ?? definition.source;

    if (input.format === 'json') {
      if (input.scope.sellerAccountId && input.scope.sellerAccountId !== scope.sellerId) {
        throw new ImportError('ACCOUNT_NOT_AUTHORIZED', `The file is for seller account ${input.scope.sellerAccountId}, not ${scope.sellerId}: nothing was imported`);
      }
      if (input.scope.marketplaceId) {
        const fromFile = authorizedMarketplace(scope, input.scope.marketplaceId);
        if (marketplace && marketplace.marketplaceId !== fromFile.marketplaceId) {
          throw new ImportError('MARKETPLACE_NOT_AUTHORIZED', `The file is for marketplace ${fromFile.marketplaceId}, not ${marketplace.marketplaceId}: nothing was imported`);
        }
        marketplace = fromFile;
      }
    }
    if (!marketplace && scope.marketplaces.size === 1) marketplace = [...scope.marketplaces.values()][0];
    if (!marketplace && input.format === 'flat') {
      throw new ImportError('MARKETPLACE_REQUIRED', `Name the marketplace with --marketplace (seller account ${scope.sellerId} has ${scope.marketplaces.size} marketplaces): nothing was imported`);
    }
    summary.marketplace = marketplace?.marketplaceId ?? null;

    const ctx: MapContext = {
      sellerAccountId: scope.sellerId,
      marketplace,
      asOfDate: asOf.toISOString().slice(0, 10),
      state: {},
      skip: (kind) => run.skip(kind),
      marketplaceFor(value) {
        const raw = value?.trim();
        if (raw) {
          const known = knownMarketplace(raw) ?? marketplaceBySalesChannel(raw) ?? marketplaceByCountry(raw.length === 2 ? raw : undefined);
          const id = known?.marketplaceId ?? ([...scope.marketplaces.values()].find((m) => m.salesChannel.toLowerCase() === raw.toLowerCase())?.marketplaceId);
          if (id) {
            const mp = scope.marketplaces.get(id);
            if (!mp) throw new RowError(`marketplace ${id} is not registered for seller account ${scope.sellerId}`);
            return mp;
          }
          if (/^A[A-Z0-9]{7,}$/.test(raw) && !scope.marketplaces.has(raw)) throw new RowError(`marketplace ${raw} is not registered for seller account ${scope.sellerId}`);
          if (scope.marketplaces.has(raw)) return scope.marketplaces.get(raw)!;
        }
        if (!marketplace) throw new RowError('no marketplace in the row: name one with --marketplace');
        return marketplace;
      },
    };

    const source = summary.source;
    const activeInput = input;
    const outcome = await dataSource.transaction(async (manager: EntityManager) => {
      const inserted = await manager.getRepository(ImportRun).insert({
        fileName: fileName.slice(0, 500),
        sha256: '0'.repeat(64),
        reportType: definition.type,
        source,
        sellerAccountId: scope.sellerId,
        marketplaceId: marketplace?.marketplaceId ?? null,
        importedBy: options.importedBy.slice(0, 200),
        status: 'RUNNING',
        startedAt,
      });
      const importRunId = String(inserted.identifiers[0].id);
      run.writers = definition.targets.map((target) => new TableWriter(target, manager));
      // A child table takes its parents' ids from the parent writer's upsert (targets are parents first).
      run.writers.forEach((writer, i) => run.writers.slice(0, i).some((parent) => writer.linkParent(parent)));
      const writeCtx = { manager, importRunId, source, sellerAccountId: scope.sellerId, scope: options.scope };
      let inFlight: Promise<void> | null = null;
      /** Waits for the batch being written (its rejections are recorded, its errors thrown). */
      const settle = async () => {
        const writing = inFlight;
        inFlight = null;
        if (writing) await writing;
      };
      /** Starts writing the pending records (parents first); `wait` also waits for it. */
      const flush = async (wait: boolean) => {
        await settle();
        const batches = run.writers.map((writer) => writer.take());
        const progress = { rowsRead: run.rowsRead, bytesRead: text!.bytesRead() };
        const writing = (async () => {
          for (let i = 0; i < run.writers.length; i++) {
            for (const r of await run.writers[i].write(writeCtx, batches[i])) run.reject(r.line, r.reason);
          }
          options.onProgress?.({ rowsRead: progress.rowsRead, rowsRejected: run.rejectedCount, bytesRead: progress.bytesRead });
        })();
        // Observed by settle(); until then a failure must not count as unhandled.
        writing.catch(() => undefined);
        inFlight = writing;
        if (wait) await settle();
      };
      const refuse = async (line: number, reason: string) => {
        await settle();
        run.reject(line, reason);
      };
      const accept = async (line: number, produce: () => Emit[]) => {
        run.rowsRead++;
        let emits: Emit[];
        try {
          emits = produce();
        } catch (error) {
          if (error instanceof RowError) return refuse(line, error.message);
          throw error;
        }
        for (const emit of emits) {
          const problem = run.writers[emit.target].check(emit.values);
          if (problem) return refuse(line, problem);
        }
        for (const emit of emits) run.writers[emit.target].add({ line, values: emit.values });
        for (const writer of run.writers) {
          if (writer.size >= batchSize) return flush(false);
        }
      };

      try {
        if (activeInput.format === 'flat') {
          const map = new HeaderMap(activeInput.header, activeInput.definition.fields, activeInput.definition.keepPersonal);
          summary.droppedColumns = map.dropped;
          summary.ignoredColumns = map.ignored;
          const headerText = activeInput.header.join('\t');
          const damagedCheck = (activeInput.definition.idColumns ?? []).filter((key) => map.has(key));
          for await (const { line, cells } of activeInput.rows) {
            // Connector fixtures repeat the header line as data.
            if (cells.join('\t') === headerText) {
              run.skip('repeated header lines');
              continue;
            }
            const row = new FlatRow(line, cells, map);
            await accept(line, () => {
              for (const key of damagedCheck) if (isExcelDamaged(row.get(key))) throw new RowError(`${key}: id damaged by a spreadsheet (scientific notation)`);
              return activeInput.definition.map(row, ctx);
            });
          }
        } else {
          for await (const { line, record } of activeInput.records) {
            await accept(line, () => activeInput.definition.map(record, ctx));
          }
          summary.droppedColumns = activeInput.dropped;
        }
        await flush(true);
      } catch (error) {
        // The batch in flight finishes (or fails) before the transaction is rolled back.
        await (inFlight as Promise<void> | null)?.catch(() => undefined);
        throw error;
      }
      if (run.rowsRead === 0) {
        throw new ImportError('HEADER_ONLY', `The file has no data rows${run.skipped['repeated header lines'] ? ' (only header lines)' : ''}: nothing was imported`);
      }
      const digest = text!.digest();
      const tables: Record<string, TableCounts> = {};
      for (const writer of run.writers) tables[writer.shape.table] = { ...writer.counts };
      const totals = Object.values(tables).reduce<{ inserted: number; updated: number; unchanged: number; outOfScope: number }>(
        (t, c) => ({ inserted: t.inserted + c.inserted, updated: t.updated + c.updated, unchanged: t.unchanged + c.unchanged, outOfScope: t.outOfScope + (c.outOfScope ?? 0) }),
        { inserted: 0, updated: 0, unchanged: 0, outOfScope: 0 },
      );
      const finishedAt = new Date();
      await manager.getRepository(ImportRun).update(importRunId, {
        sha256: digest.sha256,
        status: 'SUCCEEDED',
        finishedAt,
        rowsRead: run.rowsRead,
        rowsInserted: totals.inserted,
        rowsUpdated: totals.updated,
        rowsUnchanged: totals.unchanged,
        rowsRejected: run.rejectedCount,
        rowsOutOfScope: totals.outOfScope,
        droppedColumns: summary.droppedColumns,
        ignoredColumns: summary.ignoredColumns,
        rejectedLines: run.rejected,
      });
      return { importRunId, tables, totals, finishedAt, digest };
    });
    Object.assign(summary, {
      importRunId: outcome.importRunId,
      status: 'SUCCEEDED',
      sha256: outcome.digest.sha256,
      bytes: outcome.digest.bytes,
      finishedAt: outcome.finishedAt.toISOString(),
      tables: outcome.tables,
      rowsInserted: outcome.totals.inserted,
      rowsUpdated: outcome.totals.updated,
      rowsUnchanged: outcome.totals.unchanged,
      rowsOutOfScope: outcome.totals.outOfScope,
    });
  } catch (error) {
    summary.status = 'FAILED';
    summary.error =
      error instanceof ImportError
        ? { code: error.code, message: error.message }
        : { code: 'INTERNAL', message: dbErrorMessage(error) };
    summary.tables = {};
    summary.rowsInserted = summary.rowsUpdated = summary.rowsUnchanged = summary.rowsOutOfScope = 0;
    if (!(error instanceof ImportError)) options.logger?.warn({ err: { name: (error as Error)?.name, code: (error as { code?: unknown })?.code } }, 'import failed');
    stream?.destroy();
    if (text) {
      const digest = text.digest();
      summary.sha256 = digest.sha256;
      summary.bytes = digest.bytes;
    }
    summary.finishedAt = new Date().toISOString();
    summary.importRunId = await recordFailure(dataSource, summary, run).catch(() => null);
  }
  summary.rowsRead = run.rowsRead;
  summary.rowsRejected = run.rejectedCount;
  options.logger?.info(
    {
      importRunId: summary.importRunId,
      status: summary.status,
      reportType: summary.reportType,
      account: summary.account,
      marketplace: summary.marketplace,
      rowsRead: summary.rowsRead,
      rowsInserted: summary.rowsInserted,
      rowsUpdated: summary.rowsUpdated,
      rowsUnchanged: summary.rowsUnchanged,
      rowsRejected: summary.rowsRejected,
      droppedColumns: summary.droppedColumns,
      errorCode: summary.error?.code,
    },
    'import finished',
  );
  return summary;
}

// A failed import leaves its attempt on record (SYSTEM_LOGS), in its own small transaction.
async function recordFailure(dataSource: DataSource, summary: ImportSummary, run: Run): Promise<string> {
  const inserted = await dataSource.getRepository(ImportRun).insert({
    fileName: summary.fileName.slice(0, 500),
    sha256: summary.sha256 || '0'.repeat(64),
    reportType: (summary.reportType ?? 'UNKNOWN').slice(0, 80),
    source: summary.source ?? 'UNKNOWN',
    sellerAccountId: summary.account.slice(0, 32),
    marketplaceId: summary.marketplace?.slice(0, 20) ?? null,
    importedBy: summary.importedBy.slice(0, 200),
    status: 'FAILED',
    startedAt: new Date(summary.startedAt),
    finishedAt: new Date(summary.finishedAt),
    rowsRead: run.rowsRead,
    rowsRejected: run.rejectedCount,
    droppedColumns: summary.droppedColumns,
    ignoredColumns: summary.ignoredColumns,
    rejectedLines: run.rejected,
    error: summary.error?.message ?? null,
  });
  return String(inserted.identifiers[0].id);
}

/** The same import, reading a stream (e.g. the body of `POST /imports`). */
export function importStream(dataSource: DataSource, stream: Readable, options: Omit<ImportOptions, 'stream' | 'path'> & { fileName?: string }): Promise<ImportSummary> {
  return importFile(dataSource, { ...options, stream });
}
