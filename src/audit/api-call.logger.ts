// The API call log (SYSTEM_LOGS): one row per HTTP request, written in batches off the request
// path. Operational, not evidence: a failed write is reported and the rows dropped, unlike the
// audit log. The audit plugin notes each operation's principal and name under its request id.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { primaryStatement } from '../db/raw-rows';
import { requestIdOf } from '../request-id';
import type { NodeHandler } from '../server/node-handler';

export interface ApiCallEntry {
  requestId: string;
  time: Date;
  principalId: string | null;
  accountId: string | null;
  operationName: string | null;
  method: string;
  path: string;
  httpStatus: number;
  latencyMs: number;
  errorCode: string | null;
}

export interface OperationNote {
  principalId: string | null;
  accountId: string | null;
  operationName: string | null;
  errorCode: string | null;
}

export interface ApiCallLoggerOptions {
  batchSize?: number;
  flushIntervalMs?: number;
  onError?: (error: unknown, rows: number) => void;
  now?: () => Date;
}

// One statement per batch, its values as one array per column: the statement's text is the same
// for every batch, and nothing is built per row but the arrays.
const INSERT_BATCH =
  'INSERT INTO api_call_log (request_id, "time", principal_id, account_id, operation_name, method, path, http_status, latency_ms, error_code) ' +
  'SELECT * FROM unnest($1::varchar[], $2::timestamptz[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[], $8::smallint[], $9::integer[], $10::varchar[])';

function batchColumns(batch: readonly ApiCallEntry[]): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 10 }, () => new Array<unknown>(batch.length));
  batch.forEach((entry, index) => {
    // Within the column lengths: one value too long would lose the whole batch.
    columns[0][index] = entry.requestId.slice(0, 100);
    columns[1][index] = entry.time;
    columns[2][index] = entry.principalId?.slice(0, 200) ?? null;
    columns[3][index] = entry.accountId?.slice(0, 32) ?? null;
    columns[4][index] = entry.operationName;
    columns[5][index] = entry.method;
    columns[6][index] = entry.path;
    columns[7][index] = entry.httpStatus;
    columns[8][index] = entry.latencyMs;
    columns[9][index] = entry.errorCode?.slice(0, 40) ?? null;
  });
  return columns;
}

export class ApiCallLogger {
  private pending: ApiCallEntry[] = [];
  private readonly notes = new Map<string, OperationNote[]>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: ApiCallLoggerOptions = {},
  ) {}

  /** Called by the audit plugin for each operation of a request. */
  noteOperation(requestId: string, note: OperationNote): void {
    this.notes.set(requestId, [...(this.notes.get(requestId) ?? []), note]);
  }

  log(entry: ApiCallEntry): void {
    if (this.stopped) return;
    this.pending.push(entry);
    if (this.pending.length >= (this.options.batchSize ?? 500)) void this.drain();
    else this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.drain();
    }, this.options.flushIntervalMs ?? 50);
  }

  /** Middleware for every route (after the request id is assigned): logs each request when it ends. */
  middleware(): NodeHandler {
    return (req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next) => {
      const started = performance.now();
      const time = (this.options.now ?? (() => new Date()))();
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        const requestId = requestIdOf(res) ?? 'unknown';
        const notes = this.notes.get(requestId) ?? [];
        this.notes.delete(requestId);
        const names = [...new Set(notes.map((note) => note.operationName).filter((name): name is string => !!name))];
        this.log({
          requestId,
          time,
          principalId: notes.find((note) => note.principalId)?.principalId ?? null,
          accountId: notes.find((note) => note.accountId)?.accountId ?? null,
          operationName: names.length > 0 ? names.join(',').slice(0, 200) : null,
          method: (req.method ?? '').slice(0, 8),
          path: ((req.originalUrl ?? req.url ?? '').split('?')[0] ?? '').slice(0, 200),
          httpStatus: res.statusCode,
          latencyMs: Math.round(performance.now() - started),
          errorCode: notes.find((note) => note.errorCode)?.errorCode ?? null,
        });
      };
      res.on('finish', finish);
      res.on('close', finish);
      next();
    };
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    await this.drain();
  }

  async stop(): Promise<void> {
    await this.flush();
    this.stopped = true;
  }

  private drain(): Promise<void> {
    if (this.running) return this.running;
    if (this.pending.length === 0) return Promise.resolve();
    const run = (async () => {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.options.batchSize ?? 500);
        try {
          if (!this.dataSource.isInitialized) throw new Error('The database connection is closed');
          await primaryStatement(this.dataSource, INSERT_BATCH, batchColumns(batch));
        } catch (error) {
          this.options.onError?.(error, batch.length);
        }
      }
    })();
    this.running = run.finally(() => {
      this.running = null;
      // Appended after the loop's last look: start again rather than wait for the next append.
      if (this.pending.length > 0) void this.drain();
    });
    return this.running;
  }
}
