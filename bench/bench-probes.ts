// Probes a benchmark server exposes to the benchmark (never part of the gateway itself):
// the SQL statements it sent, counted by text through a wrapper of pg's Client.prototype.query
// (one Map update per statement), and its own CPU time (process.cpuUsage).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Client } from 'pg';
import type { AuditWriterStats } from '../src/audit/audit.writer';
import { plannedExecutionCounts } from '../src/execution/planned-executor';
import { knownOperationCounts } from '../src/admission/known-operations';

const counts = new Map<string, number>();
const keys = new Map<string, string>();
// Off while load is measured: the wrapper then costs one boolean test per statement.
let counting = false;

// `SELECT "o"."id" AS "o_id", ... FROM "amazon_order" "o" ...` -> `SELECT ... FROM amazon_order`
function statementKey(raw: string): string {
  const text = raw.replace(/\s+/g, ' ').trim();
  const verb = text.split(' ')[0].toUpperCase();
  const from = /\bFROM\s+"?([a-z_]+)"?/i.exec(text);
  if (verb === 'SELECT' && from) return `SELECT ... FROM ${from[1]}${/\bJOIN\b/i.test(text) ? ' JOIN ...' : ''}`;
  const into = /^INSERT INTO\s+"?([a-z_]+)"?/i.exec(text);
  if (into) return `INSERT INTO ${into[1]}`;
  const update = /^UPDATE\s+"?([a-z_]+)"?/i.exec(text);
  if (update) return `UPDATE ${update[1]}`;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function countSqlStatements(): void {
  const prototype = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  prototype.query = function query(this: unknown, ...args: unknown[]) {
    if (counting) {
      const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | null)?.text ?? '(unknown)');
      let key = keys.get(text);
      if (key === undefined) keys.set(text, (key = statementKey(text)));
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return original.apply(this, args);
  };
}

/** Audit records and batches committed, and the batches' time from start to commit (ms). */
export type AuditCounts = Pick<AuditWriterStats, 'records' | 'batches' | 'batchMs'>;

/** What a gateway server adds to `GET /__bench/cpu`: its audit writer's counts since start. */
export interface ProbeExtras {
  audit?: () => AuditCounts | null;
}

/**
 * Answers `GET /__bench/sql[?reset=1][&count=1|0]` (statement counts; `count` switches counting
 * on or off) and `GET /__bench/cpu` (CPU time of
 * this process in microseconds, its resident set size, how many operations ran on a plan, and
 * the audit writer's records, batches and batch time); returns false for any other request.
 */
export function answerProbe(req: IncomingMessage, res: ServerResponse, extras: ProbeExtras = {}): boolean {
  // Every request passes here: only the probes' own paths pay for parsing the URL.
  if (!req.url?.startsWith('/__bench/')) return false;
  const url = new URL(req.url ?? '/', 'http://probe');
  let body: unknown;
  if (req.method === 'GET' && url.pathname === '/__bench/sql') {
    if (url.searchParams.get('reset')) counts.clear();
    if (url.searchParams.has('count')) counting = url.searchParams.get('count') === '1';
    body = Object.fromEntries(counts);
  } else if (req.method === 'GET' && url.pathname === '/__bench/cpu') {
    const usage = process.cpuUsage();
    // How this process answered operations: on a plan or not, outside Apollo Server's pipeline or not.
    const paths = { planner: plannedExecutionCounts, known: knownOperationCounts };
    body = { cpuMicros: usage.user + usage.system, rssBytes: process.memoryUsage.rss(), paths, audit: extras.audit?.() ?? null };
  } else {
    return false;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
  return true;
}
