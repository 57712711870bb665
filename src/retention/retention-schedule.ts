// The server applies retention on a schedule (RETENTION_SCHEDULE, daily by default) and flags
// overdue deletion requests as a WARN system event. One run at a time: a run still in progress
// (here or in another process) makes the next tick a no-op; a crashed one is resumed.
import type { DataSource } from 'typeorm';
import { UNRESTRICTED_SCOPE } from '../auth/principal';
import { recordSystemEvent } from '../audit/system-logs';
import type { Config } from '../config';
import { listDeletionRequests } from './deletion.service';
import { loadRetentionRules } from './retention-rules';
import { runRetention, type RetentionRunReport } from './retention-runner';
import { runSettings } from './retention-settings';

export type RetentionSchedule = { kind: 'off' } | { kind: 'interval'; ms: number } | { kind: 'daily'; hour: number; minute: number };

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `off`, `hourly`, `daily` (00:00 UTC), `daily@HH:MM` (UTC) or `<n>m|h|d`. */
export function parseSchedule(spec: string): RetentionSchedule {
  const value = spec.trim().toLowerCase();
  if (value === 'off' || value === 'none') return { kind: 'off' };
  if (value === 'hourly') return { kind: 'interval', ms: UNITS.h };
  if (value === 'daily') return { kind: 'daily', hour: 0, minute: 0 };
  const daily = /^daily@([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (daily) return { kind: 'daily', hour: Number(daily[1]), minute: Number(daily[2]) };
  const interval = /^([1-9]\d{0,4})(m|h|d)$/.exec(value);
  if (interval && Number(interval[1]) * UNITS[interval[2]] >= 5 * 60_000) return { kind: 'interval', ms: Number(interval[1]) * UNITS[interval[2]] };
  throw new Error(`Invalid configuration: RETENTION_SCHEDULE: "${spec}" is not off, hourly, daily, daily@HH:MM or an interval of at least 5m (e.g. 6h)`);
}

/** When the schedule fires next after `now` (null: off). */
export function nextRunAt(schedule: RetentionSchedule, now: Date): Date | null {
  if (schedule.kind === 'off') return null;
  if (schedule.kind === 'interval') return new Date(now.getTime() + schedule.ms);
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), schedule.hour, schedule.minute));
  if (next <= now) next.setUTCDate(next.getUTCDate() + 1);
  return next;
}

/**
 * Runs `work` at the times `schedule` names, one run at a time (a tick while one runs is skipped,
 * null); `stop` ends the timer and waits for a run in progress. `work` reports its own failures.
 * The timer does not hold the process open.
 */
export function repeatOnSchedule<T>(schedule: RetentionSchedule, now: () => Date, work: () => Promise<T | null>): { tick(): Promise<T | null>; stop(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<T | null> | null = null;
  let stopped = false;
  const tick = async (): Promise<T | null> => {
    if (running) return null;
    running = work();
    try {
      return await running;
    } finally {
      running = null;
    }
  };
  const arm = () => {
    if (stopped) return;
    const next = nextRunAt(schedule, now());
    if (!next) return;
    // setTimeout holds at most ~24.8 days; re-arm after each tick or wait.
    timer = setTimeout(() => void tick().finally(arm), Math.min(Math.max(next.getTime() - now().getTime(), 1_000), 2 ** 31 - 1));
    timer.unref();
  };
  arm();
  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

export interface ScheduleOptions {
  config: Config;
  now?: () => Date;
  /** Where outcomes are told (the server's logger); never personal data. */
  log?: (level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>) => void;
  /** Tests: called after each tick with its report (null when nothing ran). */
  onTick?: (report: RetentionRunReport | null) => void;
}

export interface RetentionScheduleHandle {
  readonly schedule: RetentionSchedule;
  /** Runs one tick now (what the timer does). */
  tick(): Promise<RetentionRunReport | null>;
  stop(): Promise<void>;
}

/**
 * Starts the schedule; wire it in `serve` after the gateway starts and stop it on shutdown.
 * An invalid RETENTION_FILE or RETENTION_SCHEDULE throws here, so start-up stops.
 */
export function startRetentionSchedule(dataSource: DataSource, options: ScheduleOptions): RetentionScheduleHandle {
  const schedule = parseSchedule(options.config.RETENTION_SCHEDULE);
  const rules = loadRetentionRules(options.config);
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});

  const flagOverdue = async () => {
    const overdue = await listDeletionRequests(dataSource.manager, { overdue: true, now: now(), scope: UNRESTRICTED_SCOPE });
    if (overdue.length === 0) return;
    const message = `${overdue.length} deletion request(s) overdue: ${overdue.map((request) => request.id).join(', ')}`.slice(0, 1000);
    await recordSystemEvent(dataSource.manager, { level: 'WARN', component: 'retention', message, time: now() });
    log('warn', message);
  };

  const ticks = repeatOnSchedule(schedule, now, async (): Promise<RetentionRunReport | null> => {
    let report: RetentionRunReport | null = null;
    try {
      report = await runRetention(dataSource, { ...runSettings(options.config), rules, trigger: 'schedule', actor: 'system:schedule', now });
      log(report.status === 'FAILED' ? 'error' : 'info', `retention run ${report.runId} ${report.status}`, {
        runId: report.runId,
        affected: Object.fromEntries(report.rules.map((rule) => [rule.ruleId, rule.affected])),
      });
    } catch (error) {
      log('warn', `retention run not started: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await flagOverdue().catch((error: unknown) => log('error', `overdue deletion requests not checked: ${String(error)}`));
    }
    options.onTick?.(report);
    return report;
  });
  if (schedule.kind !== 'off') log('info', `retention scheduled (${options.config.RETENTION_SCHEDULE}), rules ${rules.version}`);

  return { schedule, ...ticks };
}
