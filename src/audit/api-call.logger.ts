// The API call log (SYSTEM_LOGS): one row per HTTP request, written in batches off the request
// path. Operational, not evidence: a failed write is reported and the rows dropped, unlike the
// audit log. The audit plugin notes each operation's principal and name under its request id.
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { DataSource } from 'typeorm';
import { ApiCallLog } from '../../entities/system-logs/api-call-log.entity';

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

  /** Express middleware (mount after the request-id middleware): logs each request when it ends. */
  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const started = performance.now();
      const time = (this.options.now ?? (() => new Date()))();
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        const requestId = String(res.locals.requestId ?? req.get('x-request-id') ?? 'unknown');
        const notes = this.notes.get(requestId) ?? [];
        this.notes.delete(requestId);
        const names = [...new Set(notes.map((note) => note.operationName).filter((name): name is string => !!name))];
        this.log({
          requestId,
          time,
          principalId: notes.find((note) => note.principalId)?.principalId ?? null,
          accountId: notes.find((note) => note.accountId)?.accountId ?? null,
          operationName: names.length > 0 ? names.join(',').slice(0, 200) : null,
          method: req.method.slice(0, 8),
          path: (req.originalUrl.split('?')[0] ?? '').slice(0, 200),
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
          await this.dataSource.createQueryBuilder().insert().into(ApiCallLog).values(batch).updateEntity(false).execute();
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
