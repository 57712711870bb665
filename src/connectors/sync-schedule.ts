// The server pulls from Amazon on SYNC_SCHEDULE (off by default): each tick is a sync run of every
// account with stored credentials, as the system principal `system:sync-schedule`, admitted through
// the same steps as a command (suspension, rate limit, permission) and recorded once in the audit
// hash chain. One run at a time: a tick while a run is still going is skipped.
import { hostname } from 'node:os';
import type { DataSource } from 'typeorm';
import { runAdmittedCommand } from '../admission/cli-admission';
import type { Principal } from '../auth/principal';
import type { Config } from '../config';
import { policyInForce } from '../policy/policy-store';
import { ALL_CATEGORIES, ALL_PURPOSES, Category, Permission } from '../policy/taxonomy';
import { parseSchedule, repeatOnSchedule, type RetentionSchedule } from '../retention/retention-schedule';
import type { SyncReport } from './sync';
import { syncAs } from './sync-service';

export const SYNC_SCHEDULE_PRINCIPAL_ID = 'system:sync-schedule';

export function syncSchedulePrincipal(): Principal {
  return {
    id: SYNC_SCHEDULE_PRINCIPAL_ID,
    kind: 'operator',
    name: `sync schedule on ${hostname()}`.slice(0, 200),
    role: 'operator',
    purposes: ALL_PURPOSES,
    categories: null,
    accounts: null,
    marketplaces: null,
    partner: false,
    expiresAt: null,
  };
}

export function parseSyncSchedule(spec: string): RetentionSchedule {
  try {
    return parseSchedule(spec);
  } catch {
    throw new Error(`Invalid configuration: SYNC_SCHEDULE: "${spec}" is not off, hourly, daily, daily@HH:MM or an interval of at least 5m (e.g. 6h)`);
  }
}

export interface SyncScheduleHandle {
  readonly schedule: RetentionSchedule;
  /** Runs one tick now (what the timer does); null when a run was already going. */
  tick(): Promise<SyncReport | null>;
  stop(): Promise<void>;
}

/** One scheduled sync run, admitted and audited as the schedule's system principal. */
export async function scheduledSync(dataSource: DataSource, config: Config): Promise<SyncReport> {
  const { policy } = await policyInForce(dataSource.manager, config);
  return runAdmittedCommand(
    {
      dataSource,
      config,
      policy,
      fieldRegistry: async () => {
        throw new Error('the sync schedule prints nothing');
      },
    },
    { name: 'sync (schedule)', kind: 'mutation', permission: { permission: Permission.IMPORT_DATA, what: 'import data' }, categories: ALL_CATEGORIES.filter((c) => c !== Category.SYSTEM_LOGS) },
    { principal: syncSchedulePrincipal() },
    async (ctx) => ({
      result: await syncAs({ dataSource, config, principalId: ctx.principal!.id, scope: ctx.scope, trigger: 'schedule', countRows: (category, rows) => ctx.governance.countRows(category, rows) }, {}),
    }),
  );
}

export function startSyncSchedule(
  dataSource: DataSource,
  options: { config: Config; now?: () => Date; log?: (level: 'info' | 'warn' | 'error', message: string, details?: Record<string, unknown>) => void },
): SyncScheduleHandle {
  const schedule = parseSyncSchedule(options.config.SYNC_SCHEDULE);
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const ticks = repeatOnSchedule(schedule, now, () =>
    scheduledSync(dataSource, options.config)
      .then((report): SyncReport | null => {
        log(report.status === 'SUCCEEDED' ? 'info' : 'warn', `sync run ${report.runId} ${report.status}`, { runId: report.runId, documents: report.documents, errors: report.errors.length });
        return report;
      })
      .catch((error: unknown) => {
        log('error', `sync run not started: ${error instanceof Error ? error.message : String(error)}`);
        return null;
      }),
  );
  if (schedule.kind !== 'off') log('info', `Amazon sync scheduled (${options.config.SYNC_SCHEDULE})`);
  return { schedule, ...ticks };
}
