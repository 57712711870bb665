// Appends audit records to the hash chain with grouped commits. Each batch is one statement, its
// own transaction: `audit_append` (migration AuditAppendFunction) takes the chain's advisory lock,
// checks that the head is the one the batch was hashed against, and inserts it. The lock and the
// check keep one chain under concurrent writers and several gateway processes on one database.
// Fail-closed: `append` resolves only once its batch is committed and rejects when it is not.
// One connection per batch (never a second one inside a transaction): safe on PGlite too.
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DataSource, EntityManager } from 'typeorm';
import { LRUCache } from 'lru-cache';
import { checkpointColumns, checkpointHead } from './audit-checkpoint';
import { contentJson, normalizeEntry, type AuditEntry } from './audit-entry';
import { lockChain, readHead, type ChainHead } from './audit-head';
import { sha256Hex } from './canonical';
import { primaryStatement } from '../db/raw-rows';

const APPEND_SQL = 'SELECT appended, head_id, head_hash FROM audit_append($1, $2, $3::jsonb, $4::text[], $5::text[], $6, $7, $8)';

/** Appends against a head that another writer moved, before taking the lock for the read too. */
const OPTIMISTIC_ATTEMPTS = 3;

export interface AuditWriterOptions {
  /** Records per transaction at most (default 200). */
  batchSize?: number;
  /**
   * How long a record waits for others to share its commit when no batch is being written
   * (default 0: those appended in the same event-loop turn share it). Records appended while a
   * batch is being written form the next batch, written one event-loop turn after that one
   * commits: the records of the other reads that finished in that turn join it.
   */
  flushIntervalMs?: number;
  /** Key for signed checkpoints; without it no periodic checkpoint is taken. */
  checkpointKey?: string | null;
  /** A signed checkpoint each time the head crosses a multiple of this id (default 1000). */
  checkpointEvery?: number;
  /** Called once per failed batch (for logs and metrics); the appends reject anyway. */
  onError?: (error: unknown, records: number) => void;
}

interface Pending {
  entry: AuditEntry;
  resolve: () => void;
  reject: (error: unknown) => void;
  /** performance.now() when appended. */
  since: number;
}

/** How long an append may wait for its commit, and the record to write instead when it is given up. */
export interface AppendOptions {
  /** Reject with `AuditWaitExceededError` after this many ms (the request is then refused). */
  timeoutMs?: number;
  /**
   * The record that replaces the entry when the wait is given up before its batch started: the
   * request was refused, so the record says so (one record per request, honest about the answer).
   * A batch already being written keeps its records as they are.
   */
  onTimeout?: (entry: AuditEntry) => AuditEntry;
}

/** The wait for a record's commit outlasted its request's deadline. */
export class AuditWaitExceededError extends Error {
  readonly code = 'DEADLINE_EXCEEDED';
  constructor(ms: number) {
    super(`The audit record was not committed within ${Math.round(ms)} ms (the request deadline)`);
  }
}

/** What a writer has done since it started (the gateway's /metrics). */
export interface AuditWriterStats {
  /** Records committed. */
  records: number;
  /** Batches committed: records / batches is how many records share a commit. */
  batches: number;
  /** Time from the start of each committed batch to its commit, summed (ms). */
  batchMs: number;
  /** Batches that failed; their requests were refused (fail-closed). */
  failedBatches: number;
}

export class AuditWriterStoppedError extends Error {
  constructor() {
    super('The audit writer is stopped');
  }
}

export class AuditWriter {
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly checkpointEvery: number;
  private pending: Pending[] = [];
  private timer: { cancel(): void } | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private writtenSinceCheckpoint = 0;
  private batchStartedAt: number | null = null;
  /** The head after this writer's last batch: the next batch is hashed against it. */
  private head: ChainHead | null = null;
  /**
   * Hashes of documents this writer's committed batches stored. audit_document rows are never
   * deleted (append-only, and retention removes records only), so these are not sent again.
   */
  private readonly storedDocuments = new LRUCache<string, true>({ max: 10_000 });
  /** Records committed by this writer (for metrics and tests). */
  committed = 0;
  failedBatches = 0;
  private committedBatches = 0;
  private committedBatchMs = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: AuditWriterOptions = {},
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? 200);
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 0);
    this.checkpointEvery = Math.max(1, options.checkpointEvery ?? 1000);
  }

  /**
   * Resolves when the record is committed; rejects when it could not be written, or when
   * `options.timeoutMs` passed first (the record may still be committed later, as
   * `options.onTimeout` makes it when its batch had not started).
   */
  append(entry: AuditEntry, options: AppendOptions = {}): Promise<void> {
    if (this.stopped) return Promise.reject(new AuditWriterStoppedError());
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const item: Pending = {
        entry,
        since: performance.now(),
        resolve: () => {
          if (timer) clearTimeout(timer);
          if (!settled) resolve();
          settled = true;
        },
        reject: (error) => {
          if (timer) clearTimeout(timer);
          if (!settled) reject(error);
          settled = true;
        },
      };
      this.pending.push(item);
      if (options.timeoutMs !== undefined) {
        const giveUp = () => {
          if (settled) return;
          settled = true;
          // Still waiting for its batch: the record written will say what the request was answered.
          if (options.onTimeout && this.pending.includes(item)) item.entry = options.onTimeout(item.entry);
          reject(new AuditWaitExceededError(options.timeoutMs!));
        };
        if (options.timeoutMs <= 0) queueMicrotask(giveUp);
        else timer = setTimeout(giveUp, options.timeoutMs);
      }
      if (this.pending.length >= this.batchSize) void this.drain();
      else if (!this.running) this.schedule();
      // else: the batch being written takes these next, when it has committed.
    });
  }

  /**
   * How long the audit append has made no progress (ms): the age of the batch being written, else
   * of the oldest record waiting for one; 0 when idle. Readiness reports a stalled writer.
   */
  stalledMs(): number {
    const now = performance.now();
    if (this.batchStartedAt !== null) return now - this.batchStartedAt;
    return this.pending.length > 0 ? now - this.pending[0].since : 0;
  }

  stats(): AuditWriterStats {
    return { records: this.committed, batches: this.committedBatches, batchMs: this.committedBatchMs, failedBatches: this.failedBatches };
  }

  private schedule(): void {
    if (this.timer) return;
    const fire = () => {
      this.timer = null;
      void this.drain();
    };
    if (this.flushIntervalMs === 0) {
      const immediate = setImmediate(fire);
      this.timer = { cancel: () => clearImmediate(immediate) };
    } else {
      const timeout = setTimeout(fire, this.flushIntervalMs);
      this.timer = { cancel: () => clearTimeout(timeout) };
    }
  }

  /** Writes everything appended so far. */
  async flush(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    await this.drain();
  }

  /** Flushes, refuses further appends, and signs a checkpoint of the head when a key is set. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
    if (this.options.checkpointKey && this.writtenSinceCheckpoint > 0 && this.dataSource.isInitialized) {
      try {
        await this.checkpoint('periodic');
      } catch (error) {
        this.options.onError?.(error, 0);
      }
    }
  }

  /** Signs a checkpoint of the current head now (CLI `audit checkpoint`, tests). */
  async checkpoint(kind: 'periodic' | 'manual' = 'manual'): Promise<ChainHead> {
    const key = this.options.checkpointKey;
    if (!key) throw new Error('AUDIT_CHECKPOINT_KEY is not set: checkpoints cannot be signed');
    const head = await checkpointHead(this.dataSource, key, kind);
    this.writtenSinceCheckpoint = 0;
    return head;
  }

  private drain(): Promise<void> {
    if (this.running) return this.running;
    if (this.pending.length === 0) return Promise.resolve();
    const run = (async () => {
      let first = true;
      while (this.pending.length > 0) {
        // After a commit, the I/O callbacks already waiting (other requests' reads that finished
        // meanwhile) run before the next batch is taken, so their records share its commit
        // instead of waiting for the one after. Measured: docs/benchmarks.md, "The audit batch
        // after a commit".
        if (!first) await nextTurn();
        first = false;
        await this.writeBatch(this.pending.splice(0, this.batchSize));
      }
    })();
    this.running = run.finally(() => {
      this.running = null;
      // Appended after the loop's last look: start again rather than wait for the next append.
      if (this.pending.length > 0) void this.drain();
    });
    return this.running;
  }

  private async writeBatch(batch: Pending[]): Promise<void> {
    const started = performance.now();
    this.batchStartedAt = started;
    try {
      if (!this.dataSource.isInitialized) throw new Error('The audit database connection is closed');
      await this.appendBatch(batch.map((item) => normalizeEntry(item.entry)));
      this.committed += batch.length;
      this.committedBatches += 1;
      this.committedBatchMs += performance.now() - started;
      this.writtenSinceCheckpoint += batch.length;
      for (const item of batch) item.resolve();
    } catch (error) {
      this.failedBatches += 1;
      this.options.onError?.(error, batch.length);
      for (const item of batch) item.reject(error);
    } finally {
      this.batchStartedAt = null;
    }
  }

  /**
   * One statement per batch in the usual case: the batch is hashed against the head this writer
   * last wrote, and `audit_append` inserts it only if that is still the head. When another writer
   * (or process) moved the head, it returns the head and the batch is hashed again against it; after
   * a few such races the head is read and the batch appended in one transaction holding the lock.
   */
  private async appendBatch(entries: AuditEntry[]): Promise<void> {
    let head = this.head ?? (await readHead(this.dataSource.manager));
    for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt += 1) {
      const result = await this.tryAppend(this.dataSource.manager, head, entries);
      if (result.appended) return;
      head = result.head;
    }
    await this.dataSource.transaction(async (manager) => {
      await lockChain(manager);
      const result = await this.tryAppend(manager, await readHead(manager), entries);
      if (!result.appended) throw new Error(`The audit chain head moved to ${result.head.id} while its lock was held`);
    });
    for (const { documentHash, document } of entries) if (documentHash && document !== undefined) this.storedDocuments.set(documentHash, true);
  }

  private async tryAppend(manager: EntityManager, head: ChainHead, entries: AuditEntry[]): Promise<{ appended: boolean; head: ChainHead }> {
    let previous = head.hash;
    let id = BigInt(head.id);
    const documents = new Map<string, string | null>();
    const rows: string[] = [];
    for (const entry of entries) {
      const { document } = entry;
      if (entry.documentHash && document !== undefined && !documents.has(entry.documentHash) && !this.storedDocuments.has(entry.documentHash)) documents.set(entry.documentHash, document);
      id += 1n;
      // The canonical JSON that is hashed is also what the database stores (plus the hash).
      const canonical = contentJson(entry, id.toString(), previous);
      const hash = sha256Hex(canonical);
      rows.push(`${canonical.slice(0, -1)},"hash":"${hash}"}`);
      previous = hash;
    }
    const key = this.options.checkpointKey;
    const every = BigInt(this.checkpointEvery);
    const checkpoint =
      key && BigInt(head.id) / every < id / every
        ? checkpointColumns(key, { kind: 'periodic', headId: id.toString(), headHash: previous })
        : null;
    const parameters = [
      head.id,
      head.hash,
      `[${rows.join(',')}]`,
      [...documents.keys()],
      [...documents.values()],
      checkpoint?.createdAt ?? null,
      checkpoint?.keyId ?? null,
      checkpoint?.signature ?? null,
    ];
    // Its own transaction unless inside appendBatch's locked one.
    const result = (
      manager.queryRunner ? await manager.query(APPEND_SQL, parameters) : await primaryStatement(this.dataSource, APPEND_SQL, parameters)
    ) as { appended: boolean; head_id: string; head_hash: string }[];
    const row = result[0];
    if (!row) throw new Error('audit_append returned no row');
    if (!row.appended) return { appended: false, head: { id: row.head_id, hash: row.head_hash } };
    // Committed (the statement's own transaction): its documents are stored. Inside the locked
    // transaction of appendBatch they are marked only once it commits.
    if (!manager.queryRunner?.isTransactionActive) for (const hash of documents.keys()) this.storedDocuments.set(hash, true);
    this.head = { id: id.toString(), hash: previous };
    if (checkpoint) this.writtenSinceCheckpoint = -entries.length; // reset once this batch is counted
    return { appended: true, head: this.head };
  }
}
