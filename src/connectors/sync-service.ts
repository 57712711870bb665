// Sync runs started by a principal (CLI, GraphQL, schedule): scope checked before anything is asked
// of Amazon, and the run limited to the accounts and marketplaces of the principal's row scope.
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import type { RowScope } from '../auth/principal';
import type { Config } from '../config';
import { ErrorCode } from '../errors';
import { rowsWrittenByCategory } from '../ingest/import-categories';
import type { Category } from '../policy/taxonomy';
import { createCredentialVault } from '../security/credentials/vault';
import type { AmazonEndpoints } from './amazon-client';
import { STREAM_NAMES } from './streams';
import { runSync, type SyncOptions, type SyncReport } from './sync';

export interface SyncRequest {
  accounts?: string[];
  streams?: string[];
  since?: Date;
}

export function connectorEndpoints(config: Pick<Config, 'SPAPI_ENDPOINT' | 'ADS_API_ENDPOINT' | 'LWA_ENDPOINT'>): AmazonEndpoints {
  return { spApi: config.SPAPI_ENDPOINT, adsApi: config.ADS_API_ENDPOINT, lwa: config.LWA_ENDPOINT };
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

/** Checks a request against the stream names and the principal's scope; throws BAD_USER_INPUT / FORBIDDEN. */
export function checkSyncRequest(scope: RowScope, request: SyncRequest): SyncRequest {
  for (const stream of request.streams ?? []) if (!STREAM_NAMES.includes(stream)) throw badInput(`Unknown stream "${stream}": one of ${STREAM_NAMES.join(', ')}`);
  if (request.since && Number.isNaN(request.since.getTime())) throw badInput('since is not a date or time');
  if (request.since && request.since.getTime() > Date.now()) throw badInput('since is in the future');
  for (const account of request.accounts ?? []) {
    if (scope.accounts && !scope.accounts.includes(account)) {
      throw new GraphQLError("The account is outside this principal's scope", { extensions: { code: ErrorCode.FORBIDDEN } });
    }
  }
  // A principal scoped to accounts syncs those (or the ones it names among them), never others.
  const accounts = request.accounts?.length ? request.accounts : (scope.accounts ? [...scope.accounts] : undefined);
  return { ...request, accounts };
}

export interface StartSyncOptions {
  dataSource: DataSource;
  config: Config;
  principalId: string;
  scope: RowScope;
  trigger: SyncOptions['trigger'];
  runId?: string;
  /** Rows written per category (the entry point's audit record counts them). */
  countRows?: (category: Category, rows: number) => void;
  signal?: AbortSignal;
}

/** Runs a sync for a principal within its scope (the caller has admitted it: one audit record). */
export function syncAs(options: StartSyncOptions, request: SyncRequest): Promise<SyncReport> {
  const checked = checkSyncRequest(options.scope, request);
  const { dataSource, config } = options;
  return runSync(dataSource, createCredentialVault(config), {
    endpoints: connectorEndpoints(config),
    principalId: options.principalId,
    trigger: options.trigger,
    accounts: checked.accounts,
    streams: checked.streams,
    since: checked.since,
    scope: options.scope,
    pollMs: config.SYNC_POLL_MS,
    initialDays: config.SYNC_INITIAL_DAYS,
    heartbeatMs: config.SYNC_HEARTBEAT_SECONDS * 1000,
    staleAfterMs: config.SYNC_STALE_RUN_MINUTES * 60_000,
    runId: options.runId,
    signal: options.signal,
    onDocument: (summary) => {
      for (const [category, rows] of Object.entries(rowsWrittenByCategory(dataSource, summary))) options.countRows?.(category as Category, rows ?? 0);
    },
  });
}
