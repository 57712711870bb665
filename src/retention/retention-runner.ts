// A retention run: every enabled rule (or one), in order, in batches with a per-run cap. Each
// batch is its own transaction holding its effect, its progress record and the evidence
// counters, so a crash loses at most the batch in flight; the next run finds the crashed one
// (RUNNING, stale heartbeat) and resumes it with the cutoffs fixed at its start. A dry run
// reads only: no row, no evidence, no audit record changes.
import type { DataSource, EntityManager } from 'typeorm';
import { RetentionBatch } from '../../entities/gateway/retention-batch.entity';
import { RetentionRunRule, type RetentionRuleStatus } from '../../entities/gateway/retention-run-rule.entity';
import { RetentionRun, type RetentionRunStatus } from '../../entities/gateway/retention-run.entity';
import { recordUserAction } from '../audit/system-logs';
import { heartbeatIsStale } from '../db/run-heartbeat';
import { countDue, runBatch, type BatchResult } from './retention-actions';
import { archiveAuditBatch, countAuditDue, deleteArchivedAuditBatch, removeAuditRange, type AuditRetentionInput } from './retention-audit';
import { cutoffOf, type RetentionRule, type RetentionRules } from './retention-rules';
import { RETENTION_TARGETS } from './retention-targets';

/** Transaction-scoped advisory lock taken while a run is created or resumed. */
const RETENTION_RUN_LOCK = 7_303_911_377;

export interface RetentionRunOptions {
  rules: RetentionRules;
  /** Only this rule (by id). */
  ruleId?: string;
  dryRun?: boolean;
  trigger: 'cli' | 'schedule' | 'graphql';
  /** Principal id, `cli:<user>` or `system:schedule` (recorded as a user action). */
  actor: string;
  requestId?: string | null;
  now?: () => Date;
  batchSize: number;
  maxRows: number;
  /** A RUNNING run whose heartbeat is older than this crashed and is resumed. */
  staleAfterMs: number;
  pseudonymKey: string;
  /** AUDIT_CHECKPOINT_KEY: needed to remove audit records. */
  auditKey?: string | null;
  archiveDir?: string | null;
  /** Tests: called after each committed batch; a throw stops the run like a crash would. */
  afterBatch?: (ruleId: string, batchNo: number) => void | Promise<void>;
}

export interface RuleReport {
  ruleId: string;
  target: string;
  action: string;
  clock: string;
  after: string;
  cutoff: Date;
  status: RetentionRuleStatus | 'DRY_RUN';
  /** Rows of the rule's own table processed (dry run: that would be, within the cap). */
  affected: number;
  /** Dry run: every due row, beyond the cap too. */
  due?: number;
  held: number;
  batches: number;
  counts: Record<string, number>;
  firstKey: string | null;
  lastKey: string | null;
  error: string | null;
}

export interface RetentionRunReport {
  runId: string | null;
  dryRun: boolean;
  resumed: boolean;
  status: RetentionRunStatus | 'DRY_RUN';
  rulesVersion: string;
  startedAt: Date;
  finishedAt: Date;
  rules: RuleReport[];
}

function selectRules(options: RetentionRunOptions): RetentionRule[] {
  const enabled = options.rules.rules.filter((rule) => rule.enabled);
  if (!options.ruleId) return enabled;
  const rule = options.rules.rules.find((candidate) => candidate.id === options.ruleId);
  if (!rule) throw new Error(`Unknown retention rule ${options.ruleId}; rules: ${options.rules.rules.map((r) => r.id).join(', ')}`);
  return [rule];
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 2000);
}

/** Runs (or, with `dryRun`, previews) retention; resumes a crashed run first. */
export async function runRetention(dataSource: DataSource, options: RetentionRunOptions): Promise<RetentionRunReport> {
  const now = options.now ?? (() => new Date());
  return options.dryRun ? preview(dataSource, options, now) : execute(dataSource, options, now);
}

async function preview(dataSource: DataSource, options: RetentionRunOptions, now: () => Date): Promise<RetentionRunReport> {
  const startedAt = now();
  let remaining = options.maxRows;
  const reports: RuleReport[] = [];
  for (const rule of selectRules(options)) {
    const cutoff = cutoffOf(rule.after, startedAt);
    const target = RETENTION_TARGETS[rule.target];
    const report: RuleReport = { ruleId: rule.id, target: rule.target, action: rule.action, clock: rule.clock, after: rule.after, cutoff, status: 'DRY_RUN', affected: 0, due: 0, held: 0, batches: 0, counts: {}, firstKey: null, lastKey: null, error: null };
    try {
      const due = target.name === 'audit_records' ? await countAuditDue(dataSource.manager, { action: rule.action as 'ARCHIVE' | 'DELETE', cutoff, now: startedAt }) : await countDue(dataSource.manager, target, rule, cutoff, startedAt);
      Object.assign(report, { due: due.due, held: due.held, firstKey: due.firstKey, lastKey: due.lastKey, affected: Math.min(due.due, remaining) });
      report.batches = Math.ceil(report.affected / options.batchSize);
      remaining -= report.affected;
    } catch (error) {
      report.error = message(error);
    }
    reports.push(report);
  }
  return { runId: null, dryRun: true, resumed: false, status: 'DRY_RUN', rulesVersion: options.rules.version, startedAt, finishedAt: now(), rules: reports };
}

/** Creates a run, or takes over a crashed one; refuses while another is alive. */
async function openRun(dataSource: DataSource, options: RetentionRunOptions, now: Date): Promise<{ run: RetentionRun; resumed: boolean }> {
  return dataSource.transaction(async (manager) => {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [RETENTION_RUN_LOCK]);
    const open = await manager.findOne(RetentionRun, { where: { status: 'RUNNING' }, order: { startedAt: 'DESC' } });
    if (open) {
      if (!heartbeatIsStale(open.heartbeatAt, now, options.staleAfterMs)) {
        throw new Error(`Retention run ${open.id} is in progress (last heartbeat ${open.heartbeatAt.toISOString()}); try again later`);
      }
      open.resumeCount += 1;
      open.heartbeatAt = now;
      await manager.save(RetentionRun, open);
      await recordUserAction(manager, { actor: options.actor, action: 'retention.resume', target: open.id, requestId: options.requestId, time: now });
      return { run: open, resumed: true };
    }
    const run = await manager.save(
      RetentionRun,
      manager.create(RetentionRun, {
        trigger: options.trigger,
        actor: options.actor,
        status: 'RUNNING',
        rulesVersion: options.rules.version,
        ruleFilter: options.ruleId ?? null,
        maxRows: options.maxRows,
        batchSize: options.batchSize,
        startedAt: now,
        heartbeatAt: now,
        finishedAt: null,
        resumeCount: 0,
        error: null,
      }),
    );
    const rules = selectRules(options).map((rule, position) =>
      manager.create(RetentionRunRule, {
        runId: run.id,
        position,
        ruleId: rule.id,
        target: rule.target,
        action: rule.action,
        clock: rule.clock,
        period: rule.after,
        cutoff: cutoffOf(rule.after, now),
        status: 'PENDING',
      }),
    );
    await manager.save(RetentionRunRule, rules);
    await recordUserAction(manager, { actor: options.actor, action: 'retention.run', target: run.id, requestId: options.requestId, time: now });
    return { run, resumed: false };
  });
}

interface RuleState {
  row: RetentionRunRule;
  rule: RetentionRule | undefined;
}

async function commitBatch(manager: EntityManager, run: RetentionRun, state: RuleState, batch: BatchResult, now: Date): Promise<void> {
  const row = state.row;
  row.batches += 1;
  row.affected += batch.rows;
  for (const [table, n] of Object.entries(batch.counts)) row.counts[table] = (row.counts[table] ?? 0) + n;
  row.firstKey ??= batch.firstKey;
  row.lastKey = batch.lastKey ?? row.lastKey;
  await manager.insert(RetentionBatch, { runId: run.id, ruleId: row.ruleId, batchNo: row.batches, rows: batch.rows, firstKey: batch.firstKey, lastKey: batch.lastKey, committedAt: now });
  await manager.update(RetentionRunRule, { id: row.id }, { batches: row.batches, affected: row.affected, counts: row.counts, firstKey: row.firstKey, lastKey: row.lastKey, status: 'RUNNING' });
  await manager.update(RetentionRun, { id: run.id }, { heartbeatAt: now });
}

/** One batch of a rule in its own transaction; null when the rule has nothing left. */
async function nextBatch(dataSource: DataSource, options: RetentionRunOptions, run: RetentionRun, state: RuleState, limit: number, now: Date): Promise<BatchResult | null> {
  const rule = state.rule!;
  const target = RETENTION_TARGETS[rule.target];
  const audit: AuditRetentionInput = { dataSource, action: rule.action as 'ARCHIVE' | 'DELETE', cutoff: state.row.cutoff, now, ruleId: rule.id, runId: run.id, key: options.auditKey };
  if (target.name === 'audit_records') {
    // The range removal is one transaction of src/audit's own; evidence follows in another.
    const inTransaction = async (work: (manager: EntityManager) => Promise<BatchResult | null>) =>
      dataSource.transaction(async (manager) => {
        const batch = await work(manager);
        if (batch) await commitBatch(manager, run, state, batch, now);
        return batch;
      });
    if (rule.action === 'ARCHIVE') {
      const copied = await inTransaction((manager) => archiveAuditBatch(manager, audit, limit));
      if (copied) return copied;
    }
    const removed = await removeAuditRange(audit);
    if (removed) {
      await dataSource.transaction((manager) => commitBatch(manager, run, state, removed, now));
      return removed;
    }
    return rule.action === 'DELETE' ? inTransaction((manager) => deleteArchivedAuditBatch(manager, audit, limit)) : null;
  }
  return dataSource.transaction(async (manager) => {
    const batch = await runBatch({
      manager,
      target,
      rule,
      cutoff: state.row.cutoff,
      now,
      runId: run.id,
      batchNo: state.row.batches + 1,
      limit,
      pseudonymKey: options.pseudonymKey,
      archiveDir: options.archiveDir,
    });
    if (batch) await commitBatch(manager, run, state, batch, now);
    return batch;
  });
}

async function execute(dataSource: DataSource, options: RetentionRunOptions, now: () => Date): Promise<RetentionRunReport> {
  const { run, resumed } = await openRun(dataSource, options, now());
  const rows = await dataSource.manager.find(RetentionRunRule, { where: { runId: run.id }, order: { position: 'ASC' } });
  const states: RuleState[] = rows.map((row) => ({ row, rule: options.rules.rules.find((rule) => rule.id === row.ruleId) }));
  let processed = rows.reduce((sum, row) => sum + row.affected, 0);
  let capped = false;
  for (const state of states) {
    const { row } = state;
    if (row.status === 'DONE' || row.status === 'FAILED') continue;
    if (capped) {
      await dataSource.manager.update(RetentionRunRule, { id: row.id }, { status: (row.status = 'CAPPED') });
      continue;
    }
    const startedAt = now();
    row.startedAt ??= startedAt;
    try {
      if (!state.rule) throw new Error(`rule ${row.ruleId} is no longer defined`);
      const target = RETENTION_TARGETS[state.rule.target];
      const due = target.name === 'audit_records' ? await countAuditDue(dataSource.manager, { action: state.rule.action as 'ARCHIVE' | 'DELETE', cutoff: row.cutoff, now: startedAt }) : await countDue(dataSource.manager, target, state.rule, row.cutoff, startedAt);
      row.held = due.held;
      await dataSource.manager.update(RetentionRunRule, { id: row.id }, { status: 'RUNNING', startedAt: row.startedAt, held: row.held });
      for (;;) {
        const limit = Math.min(options.batchSize, options.maxRows - processed);
        if (limit <= 0) {
          capped = true;
          break;
        }
        const batch = await nextBatch(dataSource, options, run, state, limit, now());
        if (!batch) break;
        processed += batch.rows;
        // A RetentionCrash thrown here ends the run as a killed process would (rethrown below).
        await options.afterBatch?.(row.ruleId, row.batches);
      }
      row.status = capped ? 'CAPPED' : 'DONE';
    } catch (error) {
      if (error instanceof RetentionCrash) throw error;
      row.status = 'FAILED';
      row.error = message(error);
    }
    row.finishedAt = now();
    await dataSource.manager.update(RetentionRunRule, { id: row.id }, { status: row.status, finishedAt: row.finishedAt, error: row.error });
  }
  const failed = states.filter((state) => state.row.status === 'FAILED');
  const status: RetentionRunStatus = failed.length ? 'FAILED' : capped ? 'CAPPED' : 'SUCCEEDED';
  const finishedAt = now();
  const error = failed.length ? failed.map((state) => `${state.row.ruleId}: ${state.row.error}`).join('; ').slice(0, 4000) : null;
  await dataSource.manager.update(RetentionRun, { id: run.id }, { status, finishedAt, heartbeatAt: finishedAt, error });
  return {
    runId: run.id,
    dryRun: false,
    resumed,
    status,
    rulesVersion: run.rulesVersion,
    startedAt: run.startedAt,
    finishedAt,
    rules: states.map(({ row }) => ({
      ruleId: row.ruleId,
      target: row.target,
      action: row.action,
      clock: row.clock,
      after: row.period,
      cutoff: row.cutoff,
      status: row.status,
      affected: row.affected,
      held: row.held,
      batches: row.batches,
      counts: row.counts,
      firstKey: row.firstKey,
      lastKey: row.lastKey,
      error: row.error,
    })),
  };
}

/** Thrown by `afterBatch` in tests to stop a run the way a killed process would. */
export class RetentionCrash extends Error {
  constructor() {
    super('simulated crash');
    this.name = 'RetentionCrash';
  }
}
