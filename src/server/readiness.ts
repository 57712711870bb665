// Readiness (`/readyz`) of a gateway or subgraph process: the primary database answers and is
// fully migrated, the read replica (DATABASE_READ_URL) answers when one is configured, and the
// audit log can be appended to (its chain lock can be taken, the writer is committing). A load
// balancer sends traffic only to a process that is ready; liveness (`/healthz`) is separate.
// The answer comes within READY_TIMEOUT_MS whatever the database does: a check that cannot finish
// by then (a pool with no free connection, a stalled server) is itself the reason for not ready.
import type { RequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import { AUDIT_CHAIN_LOCK } from '../audit/audit-head';
import { hasReadReplica } from '../db/read-replica';

export interface ReadinessOptions {
  /** The whole check answers within this (ms). */
  timeoutMs?: number;
  /** How long the audit writer has made no progress (ms), when this process writes records. */
  auditStalledMs?: () => number;
}

const DEFAULT_TIMEOUT_MS = 2_000;

async function checks(dataSource: DataSource, options: ReadinessOptions, timeoutMs: number): Promise<string | null> {
  const stalled = options.auditStalledMs?.() ?? 0;
  if (stalled > timeoutMs) return `audit log append not progressing for ${Math.round(stalled)} ms`;
  try {
    await dataSource.query('SELECT 1');
    if (await dataSource.showMigrations()) return 'database migrations pending';
  } catch {
    return 'database unreachable';
  }
  // The chain lock every append takes, held by a writer for milliseconds: one that cannot be had
  // within half the timeout means appends are blocked (and so is every request, fail-closed).
  const lockWaitMs = Math.max(50, Math.floor(timeoutMs / 2));
  try {
    await dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL lock_timeout = '${lockWaitMs}ms'`);
      await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
    });
  } catch (error) {
    return (error as { driverError?: { code?: string }; code?: string }).driverError?.code === '55P03' ? 'audit log append blocked (its chain lock is held)' : 'database unreachable';
  }
  if (hasReadReplica(dataSource)) {
    const replica = dataSource.createQueryRunner('slave');
    try {
      await replica.query('SELECT 1');
    } catch {
      return 'read replica unreachable';
    } finally {
      await replica.release();
    }
  }
  return null;
}

/** Why the process is not ready, or null when it is; answers within `options.timeoutMs`. */
export async function notReadyReason(dataSource: DataSource, options: ReadinessOptions = {}): Promise<string | null> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const work = checks(dataSource, options, timeoutMs);
  work.catch(() => {});
  try {
    return await Promise.race([
      work,
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`database did not answer within ${timeoutMs} ms (READY_TIMEOUT_MS)`), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /readyz`: 200 `{status: 'ready'}`, or 503 with the reason. */
export function readinessHandler(dataSource: DataSource, extra: Record<string, string> = {}, options: ReadinessOptions = {}): RequestHandler {
  return async (_req, res) => {
    const reason = await notReadyReason(dataSource, options);
    if (reason) res.status(503).json({ status: 'not ready', reason, ...extra });
    else res.json({ status: 'ready', ...extra });
  };
}
