// Readiness (`/readyz`) of a gateway or subgraph process: the primary database answers and is
// fully migrated, and the read replica (DATABASE_READ_URL) answers when one is configured. A load
// balancer sends traffic only to a process that is ready; liveness (`/healthz`) is separate.
import type { RequestHandler } from 'express';
import type { DataSource } from 'typeorm';
import { hasReadReplica } from '../db/read-replica';

/** Why the process is not ready, or null when it is. */
export async function notReadyReason(dataSource: DataSource): Promise<string | null> {
  try {
    await dataSource.query('SELECT 1');
    if (await dataSource.showMigrations()) return 'database migrations pending';
  } catch {
    return 'database unreachable';
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

/** `GET /readyz`: 200 `{status: 'ready'}`, or 503 with the reason. */
export function readinessHandler(dataSource: DataSource, extra: Record<string, string> = {}): RequestHandler {
  return async (_req, res) => {
    const reason = await notReadyReason(dataSource);
    if (reason) res.status(503).json({ status: 'not ready', reason, ...extra });
    else res.json({ status: 'ready', ...extra });
  };
}
