// Load and checks shared by the fault-injection suite (test/faults): a bounded load of GraphQL
// requests with their own request ids, then, after a fault, the comparison of what each client was
// answered with the audit records of the same request ids (no data without a record), the chain's
// verification, and whether the gateway serves again.
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { verifyChain } from '../../src/audit/audit-verify';
import type { DataSource } from 'typeorm';

export const LOAD_QUERY = '{ products(first: 3) { nodes { asin title } } }';
export const LOAD_PURPOSE = 'BUSINESS_ANALYSIS';

export interface LoadResult {
  requestId: string;
  status: number;
  /** The answer carried data (a non-null field under `data`). */
  hasData: boolean;
  code: string | null;
  ms: number;
}

/** One request; a refused connection (gateway gone) is status 0. */
export async function loadRequest(url: string, token: string, timeoutMs = 30_000): Promise<LoadResult> {
  const requestId = `fault-${randomUUID()}`;
  const started = performance.now();
  try {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-purpose': LOAD_PURPOSE, 'x-request-id': requestId },
      body: JSON.stringify({ query: LOAD_QUERY }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: counted by its status
    }
    const hasData = !!body.data && Object.values(body.data).some((value) => value !== null && value !== undefined);
    return { requestId, status: response.status, hasData, code: body.errors?.[0]?.extensions?.code ?? null, ms: performance.now() - started };
  } catch {
    return { requestId, status: 0, hasData: false, code: null, ms: performance.now() - started };
  }
}

/** `connections` loops sending requests until `until()` says stop; every result kept. */
export async function runLoad(url: () => string, token: string, connections: number, until: () => boolean, timeoutMs?: number): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (!until()) {
        const result = await loadRequest(url(), token, timeoutMs);
        results.push(result);
        // A gateway that is away refuses at once: do not spin.
        if (result.status === 0) await sleep(50);
      }
    }),
  );
  return results;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Request ids answered with data that have no audit record (must be empty). */
export async function dataWithoutRecord(dataSource: DataSource, results: LoadResult[]): Promise<string[]> {
  const withData = results.filter((result) => result.hasData).map((result) => result.requestId);
  if (withData.length === 0) return [];
  const rows: { request_id: string }[] = await dataSource.query('SELECT request_id FROM audit_record WHERE request_id = ANY($1)', [withData]);
  const recorded = new Set(rows.map((row) => row.request_id));
  return withData.filter((id) => !recorded.has(id));
}

/** The audit chain verifies from its start. */
export async function chainVerifies(dataSource: DataSource): Promise<boolean> {
  return (await verifyChain(dataSource.manager)).ok;
}

/** Waits until a request is answered with data; returns the ms it took, or throws after `limitMs`. */
export async function servesAgainWithin(url: string, token: string, limitMs: number): Promise<number> {
  const started = performance.now();
  for (;;) {
    const result = await loadRequest(url, token, limitMs);
    if (result.status === 200 && result.hasData) return performance.now() - started;
    if (performance.now() - started > limitMs) throw new Error(`Not serving again within ${limitMs} ms (last answer ${result.status} ${result.code})`);
    await sleep(50);
  }
}

/** Terminates every backend of `database` except the caller's own (what a server restart does to a client). */
export async function terminateBackends(adminUrl: string, database: string): Promise<number> {
  const admin = new Client({ connectionString: adminUrl });
  admin.on('error', () => {});
  await admin.connect();
  try {
    const rows = await admin.query('SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    return rows.rows.filter((row: { done: boolean }) => row.done).length;
  } finally {
    await admin.end().catch(() => {});
  }
}

/** The database name of a connection URL. */
export function databaseOf(url: string): string {
  return new URL(url).pathname.slice(1);
}

/** Percentile (0..100) of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Whether process `pid` is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Answers by `status code` with their counts, for failure messages and figures. */
export function tally(results: LoadResult[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const key = `${result.status} ${result.code ?? ''}`.trim();
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
