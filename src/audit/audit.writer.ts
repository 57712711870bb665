// Appends audit records to the hash chain with grouped commits. Each batch is one transaction:
// take the chain's advisory lock, read the head, insert the batch linked to it, commit. The lock
// makes the chain safe under concurrent writers and several gateway processes on one database.
// Fail-closed: `append` resolves only once its batch is committed and rejects when it is not.
// One connection per batch (never a second one inside the transaction): safe on PGlite too.
import type { DataSource, EntityManager } from 'typeorm';
import { AuditDocument } from '../../entities/gateway/audit-document.entity';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { checkpointHead, insertCheckpoint } from './audit-checkpoint';
import { hashContent, normalizeEntry, type AuditContent, type AuditEntry } from './audit-entry';
import { lockChain, readHead, type ChainHead } from './audit-head';

export interface AuditWriterOptions {
  /** Records per transaction at most (default 200). */
  batchSize?: number;
  /** How long a record waits for others to share its commit (default 5 ms). */
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
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private writtenSinceCheckpoint = 0;
  /** Records committed by this writer (for metrics and tests). */
  committed = 0;
  failedBatches = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: AuditWriterOptions = {},
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? 200);
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 5);
    this.checkpointEvery = Math.max(1, options.checkpointEvery ?? 1000);
  }

  /** Resolves when the record is committed; rejects when it could not be written. */
  append(entry: AuditEntry): Promise<void> {
    if (this.stopped) return Promise.reject(new AuditWriterStoppedError());
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (this.pending.length >= this.batchSize) void this.drain();
      else this.timer ??= setTimeout(() => {
        this.timer = null;
        void this.drain();
      }, this.flushIntervalMs);
    });
  }

  /** Writes everything appended so far. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
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
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.batchSize);
        await this.writeBatch(batch);
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
    try {
      if (!this.dataSource.isInitialized) throw new Error('The audit database connection is closed');
      await this.dataSource.transaction((manager) => this.insertBatch(manager, batch.map((item) => item.entry)));
      this.committed += batch.length;
      this.writtenSinceCheckpoint += batch.length;
      for (const item of batch) item.resolve();
    } catch (error) {
      this.failedBatches += 1;
      this.options.onError?.(error, batch.length);
      for (const item of batch) item.reject(error);
    }
  }

  private async insertBatch(manager: EntityManager, entries: AuditEntry[]): Promise<void> {
    await lockChain(manager);
    const head = await readHead(manager);
    let previous = head.hash;
    let id = BigInt(head.id);
    const documents = new Map<string, string | null>();
    const records: AuditContent[] = [];
    for (const raw of entries) {
      const { document, ...entry } = normalizeEntry(raw);
      if (entry.documentHash && document !== undefined && !documents.has(entry.documentHash)) documents.set(entry.documentHash, document);
      id += 1n;
      const content: AuditContent = { ...entry, id: id.toString(), prevHash: previous };
      const hash = hashContent(content);
      records.push({ ...content, hash } as AuditContent);
      previous = hash;
    }
    if (documents.size > 0) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(AuditDocument)
        .values([...documents].map(([hash, document]) => ({ hash, document })))
        .orIgnore()
        .updateEntity(false)
        .execute();
    }
    await manager.createQueryBuilder().insert().into(AuditRecord).values(records as never[]).updateEntity(false).execute();
    const key = this.options.checkpointKey;
    if (key && BigInt(head.id) / BigInt(this.checkpointEvery) < id / BigInt(this.checkpointEvery)) {
      await insertCheckpoint(manager, key, { kind: 'periodic', headId: id.toString(), headHash: previous });
      this.writtenSinceCheckpoint = -records.length; // reset once this batch is counted
    }
  }
}
