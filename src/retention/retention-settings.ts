// Retention settings from the configuration, shared by the CLI, the schedule and GraphQL.
import type { Config } from '../config';
import { config } from '../config';
import type { RequestContext } from '../context';
import { isScoped, type ScopedContext } from '../db/scoped';
import { ErrorCode, gatewayError } from '../errors';
import { resolvePseudonymKey } from '../policy/masks';
import type { CertificateKeys, DeletionSettings } from './deletion.service';
import { loadRetentionRules } from './retention-rules';
import { runRetention, type RetentionRunOptions, type RetentionRunReport } from './retention-runner';

export type RunSettings = Pick<RetentionRunOptions, 'batchSize' | 'maxRows' | 'staleAfterMs' | 'pseudonymKey' | 'auditKey' | 'archiveDir'>;

export function runSettings(settings: Config): RunSettings {
  return {
    batchSize: settings.RETENTION_BATCH_SIZE,
    maxRows: settings.RETENTION_MAX_ROWS_PER_RUN,
    staleAfterMs: settings.RETENTION_STALE_RUN_MINUTES * 60_000,
    pseudonymKey: resolvePseudonymKey(settings),
    auditKey: settings.AUDIT_CHECKPOINT_KEY ?? null,
    archiveDir: settings.RETENTION_ARCHIVE_DIR ?? null,
  };
}

export function deletionSettings(settings: Config): DeletionSettings {
  return { dueDays: settings.DELETION_DUE_DAYS, amazonDueHours: settings.DELETION_AMAZON_DUE_HOURS };
}

export function certificateKeys(settings: Config): CertificateKeys {
  const digestKey = resolvePseudonymKey(settings);
  return { digestKey, signingKey: settings.AUDIT_CHECKPOINT_KEY ?? digestKey };
}

/** `<kind>:<id>` of the request's principal (as token administration records it). */
export function actorOf(ctx: RequestContext): string {
  return ctx.principal ? `${ctx.principal.kind}:${ctx.principal.id}` : 'unknown';
}

export function toCounts(counts: Record<string, number>): { table: string; rows: number }[] {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([table, rows]) => ({ table, rows }));
}

/**
 * Retention rules apply to every account's rows and a run belongs to no account: a principal
 * limited in scope may not start one (FORBIDDEN).
 */
export function requireUnscopedForRetention(ctx: ScopedContext): void {
  if (isScoped(ctx)) {
    throw gatewayError(ErrorCode.FORBIDDEN, 'A retention run applies to every seller account: only a principal not limited in scope may start one', { reason: 'ROW_SCOPE' });
  }
}

export function runFromGraphQL(ctx: RequestContext, options: { dryRun: boolean; ruleId?: string }): Promise<RetentionRunReport> {
  requireUnscopedForRetention(ctx);
  const settings = config();
  return runRetention(ctx.db.connection, {
    ...runSettings(settings),
    rules: loadRetentionRules(settings),
    trigger: 'graphql',
    actor: actorOf(ctx),
    requestId: ctx.requestId,
    now: ctx.now,
    dryRun: options.dryRun,
    ruleId: options.ruleId,
  });
}
