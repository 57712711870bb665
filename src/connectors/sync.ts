// A sync run: for each seller account with stored credentials, each of its registered marketplaces
// that the authorization covers (Sellers getMarketplaceParticipations), and each stream, pull what
// is new since the stream's cursor and hand every document to the importers (one import run each,
// one transaction each: a document is in whole or not at all). The cursor moves only after its
// document is in, and work in progress (a report being made, the next page token) is kept on the
// cursor, so a run stopped half way resumes where it stopped. Importing the same document again
// changes nothing (the importers upsert). A sync run writes no audit record of its own: the entry
// point that starts it (CLI, schedule, GraphQL) is admitted and recorded once. While it works, a run
// refreshes its heartbeat; a RUNNING run whose heartbeat is stale was interrupted (its process was
// killed or crashed): the next run closes it as FAILED, and listings report it so before then.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { In, LessThan, Raw, type DataSource } from 'typeorm';
import { DataSourceKind } from '../../entities/common/provenance';
import { AmazonCredential, AmazonCredentialKind } from '../../entities/gateway/amazon-credential.entity';
import { ConnectorCursor } from '../../entities/gateway/connector-cursor.entity';
import { SyncRun, type SyncRunStatus } from '../../entities/gateway/sync-run.entity';
import { ApiCallLogger } from '../audit/api-call.logger';
import { recordSystemEvent } from '../audit/system-logs';
import type { RowScope } from '../auth/principal';
import { heartbeatIsStale, staleBefore, startHeartbeat } from '../db/run-heartbeat';
import { logger } from '../logger';
import { importOutOfScope } from '../ingest/import-categories';
import { importStream, type ImportSummary } from '../ingest/import-file';
import type { CredentialVault } from '../security/credentials/vault';
import { AmazonApiError, AmazonClient, type AmazonEndpoints, type AmazonResponse } from './amazon-client';
import { LwaTokens, RefreshTokenRefused, type LwaCredentials } from './lwa';
import { STREAMS, streamByName, type StreamDefinition } from './streams';

export interface SyncOptions {
  endpoints: AmazonEndpoints;
  /** Principal running it (recorded on every import run and API call). */
  principalId: string;
  trigger: 'cli' | 'schedule' | 'graphql';
  accounts?: string[];
  streams?: string[];
  /** Start the window here instead of at the cursor. */
  since?: Date;
  /** The running principal's row scope: it syncs only accounts and marketplaces within it, and its imports change no row another scope sees. */
  scope: RowScope;
  pollMs?: number;
  initialDays?: number;
  /** Stops the run between steps (what is in stays in; the next run resumes). */
  signal?: AbortSignal;
  /** Called after each document is imported (tests, progress). */
  onDocument?: (summary: ImportSummary, stream: string) => void;
  /** Options for the HTTP client (tests shorten the backoff). */
  client?: { startingDelayMs?: number; maxAttempts?: number; maxDelayMs?: number };
  now?: () => Date;
  runId?: string;
  /** How often the run refreshes its heartbeat (default 30 s, SYNC_HEARTBEAT_SECONDS). */
  heartbeatMs?: number;
  /** A RUNNING run without a heartbeat for this long was interrupted (default 5 minutes, SYNC_STALE_RUN_MINUTES). */
  staleAfterMs?: number;
}

export interface SyncError {
  account: string;
  marketplace: string;
  stream: string;
  code: string;
  message: string;
}

export interface SyncReport {
  runId: string;
  status: SyncRunStatus;
  accounts: string[];
  streams: string[];
  documents: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsUnchanged: number;
  apiCalls: number;
  importRunIds: string[];
  errors: SyncError[];
  startedAt: string;
  finishedAt: string;
}

/** A stream step failed in a way worth reporting (never with a data value in the message). */
export class SyncStepError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SyncStepError';
  }
}

class SyncAborted extends Error {}

const DAY_MS = 86_400_000;
/** Advisory lock class of sync runs (the key is the account's hash). */
const SYNC_LOCK_CLASS = 17_017;
/** Accounts a run of this process is syncing now. */
const ACCOUNTS_SYNCING = new Set<string>();

function poolSize(dataSource: DataSource): number {
  return (dataSource.options as { extra?: { max?: number } }).extra?.max ?? 10;
}
const ACCOUNT_WIDE = '-';

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export const DEFAULT_SYNC_HEARTBEAT_MS = 30_000;
export const DEFAULT_SYNC_STALE_AFTER_MS = 5 * 60_000;

/** The error a run interrupted without a word (no heartbeat since `heartbeatAt`) is closed with, once per account. */
export function interruptedErrors(run: Pick<SyncRun, 'accounts' | 'heartbeatAt'>): SyncError[] {
  const message = `interrupted: no heartbeat since ${run.heartbeatAt.toISOString()} (the process running it stopped); the next run resumes where it stopped`;
  return (run.accounts.length > 0 ? run.accounts : [ACCOUNT_WIDE]).map((account) => ({ account, marketplace: ACCOUNT_WIDE, stream: '*', code: 'INTERRUPTED', message }));
}

/**
 * A sync run as it stands at `now`: a RUNNING run whose heartbeat is stale is reported FAILED,
 * interrupted (what the next run will record), without writing anything.
 */
export function syncRunAsOf<T extends SyncRun>(run: T, now: Date, staleAfterMs = DEFAULT_SYNC_STALE_AFTER_MS): T {
  if (run.status !== 'RUNNING' || !heartbeatIsStale(run.heartbeatAt, now, staleAfterMs)) return run;
  return { ...run, status: 'FAILED', finishedAt: run.heartbeatAt, errors: [...run.errors, ...interruptedErrors(run)] };
}

/**
 * Closes every RUNNING run whose heartbeat is stale as FAILED, with an INTERRUPTED error per account
 * (finished at its last heartbeat); each row is changed only if it is still RUNNING and still stale,
 * so a run that beats in between is left alone. With `within`, only runs that touched no other
 * accounts (the runs a principal limited to them is shown, see `syncRuns`). Returns the ids closed.
 */
export async function closeInterruptedSyncRuns(dataSource: DataSource, now: Date, staleAfterMs = DEFAULT_SYNC_STALE_AFTER_MS, within?: readonly string[]): Promise<string[]> {
  const cutoff = staleBefore(now, staleAfterMs);
  const repository = dataSource.getRepository(SyncRun);
  const stale = await repository.find({
    where: { status: 'RUNNING', heartbeatAt: LessThan(cutoff), ...(within ? { accounts: Raw((column) => `${column} <@ :within::text[]`, { within: [...within] }) } : {}) },
  });
  const closed: string[] = [];
  for (const run of stale) {
    const result = await repository.update(
      { id: run.id, status: 'RUNNING', heartbeatAt: LessThan(cutoff) },
      { status: 'FAILED', finishedAt: run.heartbeatAt, errors: [...run.errors, ...interruptedErrors(run)] },
    );
    if (!result.affected) continue;
    closed.push(run.id);
    await recordSystemEvent(dataSource.manager, {
      level: 'ERROR',
      component: 'connectors',
      message: `sync run ${run.id} FAILED: interrupted, no heartbeat since ${run.heartbeatAt.toISOString()}`,
      requestId: run.id,
    });
  }
  return closed;
}

export async function runSync(dataSource: DataSource, vault: CredentialVault, options: SyncOptions): Promise<SyncReport> {
  const now = options.now ?? (() => new Date());
  const runId = options.runId ?? randomUUID();
  const startedAt = now();
  const pollMs = options.pollMs ?? 15_000;
  const initialDays = options.initialDays ?? 30;
  const errors: SyncError[] = [];
  const importRunIds: string[] = [];
  const totals = { documents: 0, inserted: 0, updated: 0, unchanged: 0, apiCalls: 0 };
  const streams = (options.streams?.length ? options.streams : STREAMS.map((s) => s.name)).map((name) => {
    const stream = streamByName(name);
    if (!stream) throw new SyncStepError('UNKNOWN_STREAM', `Unknown stream "${name}": one of ${STREAMS.map((s) => s.name).join(', ')}`);
    return stream;
  });

  const callLog = new ApiCallLogger(dataSource, { flushIntervalMs: 200 });
  let currentAccount: string | null = null;
  const client = new AmazonClient({
    endpoints: options.endpoints,
    startingDelayMs: options.client?.startingDelayMs,
    maxAttempts: options.client?.maxAttempts,
    maxDelayMs: options.client?.maxDelayMs,
    onCall: (call) => {
      totals.apiCalls += 1;
      callLog.log({
        requestId: runId,
        time: call.time,
        principalId: options.principalId.slice(0, 200),
        accountId: currentAccount,
        operationName: `amazon.${call.operation}`.slice(0, 200),
        method: call.method,
        path: call.path,
        httpStatus: call.status,
        latencyMs: call.latencyMs,
        errorCode: call.errorCode,
      });
    },
  });
  const lwa = new LwaTokens(client);

  // Accounts: registered, authorized, with stored LWA credentials (and the ones named).
  const registered: { seller_id: string; authorized: boolean }[] = await dataSource.query('SELECT seller_id, authorized FROM seller_account ORDER BY seller_id');
  const credentialRows = await dataSource.getRepository(AmazonCredential).find({
    select: { id: true, sellerAccountId: true, kind: true, label: true, refusedAt: true },
    where: { kind: In([AmazonCredentialKind.LWA_CLIENT_ID, AmazonCredentialKind.LWA_CLIENT_SECRET, AmazonCredentialKind.REFRESH_TOKEN, AmazonCredentialKind.ADS_PROFILE_ID]) },
  });
  const withCredentials = new Set(credentialRows.map((c) => c.sellerAccountId));
  const named = options.accounts?.length ? options.accounts : null;
  const accounts: string[] = [];
  for (const name of named ?? registered.filter((a) => withCredentials.has(a.seller_id)).map((a) => a.seller_id)) {
    const account = registered.find((a) => a.seller_id === name);
    if (!account) errors.push({ account: name, marketplace: ACCOUNT_WIDE, stream: '*', code: 'ACCOUNT_NOT_REGISTERED', message: `Seller account ${name} is not registered` });
    else if (!account.authorized) errors.push({ account: name, marketplace: ACCOUNT_WIDE, stream: '*', code: 'ACCOUNT_NOT_AUTHORIZED', message: `Seller account ${name} is not authorized` });
    else if (!withCredentials.has(name)) errors.push({ account: name, marketplace: ACCOUNT_WIDE, stream: '*', code: 'NO_CREDENTIALS', message: `Seller account ${name} has no stored Amazon credentials (sellergate credentials set)` });
    else accounts.push(name);
  }

  // Runs whose process died (no heartbeat for too long) are closed before this one starts: their
  // accounts' locks went with their connections, what they imported is in, their cursors resume.
  // A principal limited to some accounts closes only runs of those accounts.
  await closeInterruptedSyncRuns(dataSource, startedAt, options.staleAfterMs ?? DEFAULT_SYNC_STALE_AFTER_MS, options.scope.accounts ?? undefined);
  await dataSource.getRepository(SyncRun).insert({
    id: runId,
    trigger: options.trigger,
    principalId: options.principalId.slice(0, 200),
    status: 'RUNNING',
    accounts,
    streams: streams.map((s) => s.name),
    since: options.since ?? null,
    startedAt,
    heartbeatAt: startedAt,
  });
  const heartbeat = startHeartbeat(
    () => dataSource.getRepository(SyncRun).update({ id: runId, status: 'RUNNING' }, { heartbeatAt: now() }),
    options.heartbeatMs ?? DEFAULT_SYNC_HEARTBEAT_MS,
    (error) => logger().warn({ err: error, runId }, 'sync run heartbeat not written; the next one is tried'),
  );
  try {

    const check = () => {
      if (options.signal?.aborted) throw new SyncAborted('the sync run was stopped');
    };
    const sleep = async (ms: number) => {
      check();
      await new Promise((resolve) => setTimeout(resolve, ms));
      check();
    };

    const cursors = dataSource.getRepository(ConnectorCursor);
    const loadCursor = async (account: string, marketplace: string, stream: string): Promise<ConnectorCursor> =>
      (await cursors.findOneBy({ sellerAccountId: account, marketplaceId: marketplace, stream })) ??
      cursors.create({ sellerAccountId: account, marketplaceId: marketplace, stream, cursor: null, pending: null, lastSuccessAt: null, lastErrorAt: null, lastError: null, lastRunId: null, updatedAt: now() });
    const saveCursor = async (row: ConnectorCursor, change: Partial<ConnectorCursor>) => {
      Object.assign(row, change, { lastRunId: runId, updatedAt: now() });
      await cursors.save(row);
    };

    /** Imports one document; a refused one is a step error (nothing of it was written). */
    const importDocument = async (stream: StreamDefinition, account: string, marketplace: string, body: Buffer, fileName: string, source: DataSourceKind): Promise<ImportSummary | null> => {
      check();
      const summary = await importStream(dataSource, Readable.from([body]), {
        fileName: fileName.slice(0, 500),
        type: stream.reportType,
        account,
        marketplace,
        importedBy: options.principalId,
        scope: options.scope,
        source,
        asOf: now(),
      });
      if (summary.importRunId) importRunIds.push(summary.importRunId);
      if (summary.status !== 'SUCCEEDED') {
        // A report with a header and no rows is an empty day, not a failure.
        if (summary.error?.code === 'HEADER_ONLY') return null;
        throw new SyncStepError(`IMPORT_${summary.error?.code ?? 'FAILED'}`, `the document was refused by the importer (${summary.error?.code}): nothing of it was written`);
      }
      totals.documents += 1;
      totals.inserted += summary.rowsInserted;
      totals.updated += summary.rowsUpdated;
      totals.unchanged += summary.rowsUnchanged;
      options.onDocument?.(summary, stream.name);
      return summary;
    };

    const gunzip = (body: Buffer, what: string): Buffer => {
      try {
        return gunzipSync(body);
      } catch {
        throw new SyncStepError('DOCUMENT_CORRUPT', `${what}: the compressed document is truncated or corrupt: nothing of it was imported`);
      }
    };

    for (const account of accounts) {
      currentAccount = account;
      // One sync of an account at a time: in this process, and across processes through a session
      // advisory lock held on a connection of its own (not with the embedded database, whose single
      // connection the run needs, and which one process owns anyway).
      const lock = poolSize(dataSource) > 1 ? dataSource.createQueryRunner() : null;
      let locked = false;
      let mine = false;
      try {
        check();
        if (ACCOUNTS_SYNCING.has(account)) throw new SyncStepError('ALREADY_RUNNING', `Another sync run of ${account} is in progress: not synced by this one`);
        ACCOUNTS_SYNCING.add(account);
        mine = true;
        if (lock) {
          await lock.connect();
          locked = Boolean((await lock.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [SYNC_LOCK_CLASS, account]))[0]?.locked);
          if (!locked) throw new SyncStepError('ALREADY_RUNNING', `Another sync run of ${account} is in progress: not synced by this one`);
        }
        const session = await openSession(dataSource, vault, account, options.principalId, runId);
        const sp = async (operation: string, method: 'GET' | 'POST', path: string, query?: Record<string, string | undefined>, body?: unknown): Promise<AmazonResponse> => {
          check();
          const token = await lwa.accessToken(session.sp);
          return client.call({
            api: 'sp',
            operation,
            partner: account,
            method,
            path,
            query,
            body: body === undefined ? undefined : JSON.stringify(body),
            headers: { 'x-amz-access-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          });
        };
        const ads = async (operation: string, method: 'GET' | 'POST', path: string, scope: string | null, body?: unknown, contentType?: string): Promise<AmazonResponse> => {
          check();
          const token = await lwa.accessToken(session.ads);
          return client.call({
            api: 'ads',
            operation,
            partner: account,
            method,
            path,
            body: body === undefined ? undefined : JSON.stringify(body),
            headers: {
              authorization: `Bearer ${token}`,
              'amazon-advertising-api-clientid': session.ads.clientId,
              ...(scope ? { 'amazon-advertising-api-scope': scope } : {}),
              ...(contentType ? { 'content-type': contentType, accept: contentType } : {}),
            },
          });
        };
        const download = async (url: string): Promise<AmazonResponse> => {
          check();
          return client.call({ api: 'url', operation: 'downloadDocument', partner: account, method: 'GET', path: url });
        };

        // Which marketplaces the authorization covers, against the account registry.
        const participations = (await sp('getMarketplaceParticipations', 'GET', '/sellers/v1/marketplaceParticipations')).json<{ payload?: { marketplace?: { id?: string }; participation?: { isParticipating?: boolean } }[] }>();
        const covered = new Set((participations.payload ?? []).filter((p) => p.participation?.isParticipating !== false).map((p) => String(p.marketplace?.id)));
        const registeredMarketplaces: { marketplace_id: string }[] = await dataSource.query('SELECT marketplace_id FROM seller_account_marketplace WHERE seller_id = $1 ORDER BY marketplace_id', [account]);
        const marketplaces: string[] = [];
        for (const { marketplace_id: marketplace } of registeredMarketplaces) {
          if (!covered.has(marketplace)) {
            errors.push({ account, marketplace, stream: '*', code: 'MARKETPLACE_NOT_AUTHORIZED', message: `The Amazon authorization of ${account} does not cover marketplace ${marketplace}: not synced` });
          } else if (importOutOfScope(options.scope, account, marketplace)) {
            errors.push({ account, marketplace, stream: '*', code: 'OUT_OF_SCOPE', message: `Marketplace ${marketplace} of ${account} is outside this principal's scope: not synced` });
          } else marketplaces.push(marketplace);
        }

        // Ads profiles: one advertiser per marketplace, mapped to this account.
        let profiles: Map<string, string> | null = null;
        const adsProfile = async (marketplace: string): Promise<string> => {
          if (!profiles) {
            const list = (await ads('listProfiles', 'GET', '/v2/profiles', null)).json<{ profileId: number | string; accountInfo?: { marketplaceStringId?: string; id?: string } }[]>();
            profiles = new Map();
            for (const profile of list) {
              if (profile.accountInfo?.id !== account || !profile.accountInfo.marketplaceStringId) continue;
              const id = String(profile.profileId);
              if (session.adsProfileIds.length === 0 || session.adsProfileIds.includes(id)) profiles.set(profile.accountInfo.marketplaceStringId, id);
            }
          }
          const id = profiles.get(marketplace);
          if (!id) throw new SyncStepError('NO_ADS_PROFILE', `No Amazon Ads profile of ${account} for marketplace ${marketplace}`);
          return id;
        };

        for (const marketplace of marketplaces) {
          for (const stream of streams) {
            check();
            const cursor = await loadCursor(account, marketplace, stream.name);
            const from = options.since ?? cursor.cursor ?? new Date(now().getTime() - initialDays * DAY_MS);
            try {
              await runStream(stream, cursor, from);
              await saveCursor(cursor, { lastSuccessAt: now(), lastError: null });
            } catch (error) {
              if (error instanceof SyncAborted || error instanceof RefreshTokenRefused) throw error;
              const code = error instanceof SyncStepError ? error.code : error instanceof AmazonApiError ? `AMAZON_${error.code}` : 'INTERNAL';
              const message = error instanceof SyncStepError || error instanceof AmazonApiError ? error.message : 'internal error';
              errors.push({ account, marketplace, stream: stream.name, code: code.slice(0, 60), message });
              await saveCursor(cursor, { lastErrorAt: now(), lastError: `${code}: ${message}`.slice(0, 1000) });
            }
          }
        }

        async function runStream(stream: StreamDefinition, cursor: ConnectorCursor, from: Date): Promise<void> {
          const marketplace = cursor.marketplaceId;
          const pending = (cursor.pending ?? {}) as Record<string, string | undefined>;
          switch (stream.kind) {
            case 'report': {
              const end = pending.end ?? now().toISOString();
              const start = pending.start ?? from.toISOString();
              let reportId = pending.reportId;
              if (!reportId) {
                const created = await sp('createReport', 'POST', '/reports/2021-06-30/reports', undefined, {
                  reportType: stream.reportType,
                  marketplaceIds: [marketplace],
                  ...(stream.windowed ? { dataStartTime: start, dataEndTime: end } : {}),
                });
                reportId = created.json<{ reportId: string }>().reportId;
                await saveCursor(cursor, { pending: { reportId, start, end } });
              }
              let report: { processingStatus: string; reportDocumentId?: string };
              for (;;) {
                report = (await sp('getReport', 'GET', `/reports/2021-06-30/reports/${encodeURIComponent(reportId)}`)).json();
                if (['DONE', 'CANCELLED', 'FATAL'].includes(report.processingStatus)) break;
                await sleep(pollMs);
              }
              if (report.processingStatus === 'CANCELLED') {
                // Amazon had no data for the window: the window is done.
                await saveCursor(cursor, { pending: null, cursor: new Date(end) });
                return;
              }
              if (report.processingStatus === 'FATAL') {
                await saveCursor(cursor, { pending: null });
                throw new SyncStepError('REPORT_FATAL', `report ${reportId} (${stream.reportType}) ended FATAL: Amazon could not make it; nothing imported, the next run asks again`);
              }
              const body = await fetchDocument(report.reportDocumentId!, `report ${reportId}`);
              await importDocument(stream, account, marketplace, body, `sp-api ${stream.reportType} report ${reportId}`, DataSourceKind.SP_API);
              await saveCursor(cursor, { pending: null, cursor: new Date(end) });
              return;
            }
            case 'settlement': {
              const listed = (await sp('getReports', 'GET', '/reports/2021-06-30/reports', {
                reportTypes: stream.reportType,
                processingStatuses: 'DONE',
                marketplaceIds: marketplace,
                createdSince: from.toISOString(),
                pageSize: '100',
              })).json<{ reports?: { reportId: string; createdTime: string; reportDocumentId?: string }[] }>();
              const reports = (listed.reports ?? []).filter((r) => r.reportDocumentId).sort((a, b) => a.createdTime.localeCompare(b.createdTime));
              for (const report of reports) {
                const body = await fetchDocument(report.reportDocumentId!, `settlement report ${report.reportId}`);
                await importDocument(stream, account, marketplace, body, `sp-api ${stream.reportType} report ${report.reportId}`, DataSourceKind.SP_API);
                // Strictly after this report's creation time: it is not listed again.
                await saveCursor(cursor, { cursor: new Date(new Date(report.createdTime).getTime() + 1000) });
              }
              return;
            }
            case 'orders': {
              const after = pending.after ?? from.toISOString();
              let nextToken = pending.nextToken;
              let until = pending.until;
              for (let page = Number(pending.page ?? 0); ; page++) {
                const answer = (await sp('getOrders', 'GET', '/orders/v0/orders', nextToken ? { MarketplaceIds: marketplace, NextToken: nextToken } : { MarketplaceIds: marketplace, LastUpdatedAfter: after })).json<{
                  payload?: { Orders?: unknown[]; NextToken?: string; LastUpdatedBefore?: string };
                }>();
                until ??= answer.payload?.LastUpdatedBefore ?? now().toISOString();
                if ((answer.payload?.Orders ?? []).length > 0) {
                  await importDocument(stream, account, marketplace, Buffer.from(JSON.stringify(answer)), `sp-api getOrders ${after} page ${page + 1}`, DataSourceKind.SP_API);
                }
                nextToken = answer.payload?.NextToken;
                if (!nextToken) break;
                await saveCursor(cursor, { pending: { after, nextToken, until, page: String(page + 1) } });
              }
              await saveCursor(cursor, { pending: null, cursor: new Date(until) });
              return;
            }
            case 'inventory': {
              let nextToken = pending.nextToken;
              for (let page = Number(pending.page ?? 0); ; page++) {
                const answer = (await sp('getInventorySummaries', 'GET', '/fba/inventory/v1/summaries', {
                  details: 'true',
                  granularityType: 'Marketplace',
                  granularityId: marketplace,
                  marketplaceIds: marketplace,
                  nextToken,
                })).json<{ pagination?: { nextToken?: string }; payload?: { inventorySummaries?: unknown[] } }>();
                if ((answer.payload?.inventorySummaries ?? []).length > 0) {
                  await importDocument(stream, account, marketplace, Buffer.from(JSON.stringify(answer)), `sp-api getInventorySummaries ${isoDay(now())} page ${page + 1}`, DataSourceKind.SP_API);
                }
                nextToken = answer.pagination?.nextToken;
                if (!nextToken) break;
                await saveCursor(cursor, { pending: { nextToken, page: String(page + 1) } });
              }
              await saveCursor(cursor, { pending: null, cursor: now() });
              return;
            }
            case 'finances': {
              const after = pending.after ?? from.toISOString();
              // postedBefore must be at least two minutes in the past.
              const before = pending.before ?? new Date(now().getTime() - 3 * 60_000).toISOString();
              let nextToken = pending.nextToken;
              for (let page = Number(pending.page ?? 0); ; page++) {
                const answer = (await sp('listTransactions', 'GET', '/finances/2024-06-19/transactions', nextToken ? { nextToken, marketplaceId: marketplace } : { postedAfter: after, postedBefore: before, marketplaceId: marketplace })).json<{
                  payload?: { transactions?: unknown[]; nextToken?: string };
                }>();
                if ((answer.payload?.transactions ?? []).length > 0) {
                  await importDocument(stream, account, marketplace, Buffer.from(JSON.stringify(answer)), `sp-api listTransactions ${after} page ${page + 1}`, DataSourceKind.SP_API);
                }
                nextToken = answer.payload?.nextToken;
                if (!nextToken) break;
                await saveCursor(cursor, { pending: { after, before, nextToken, page: String(page + 1) } });
              }
              await saveCursor(cursor, { pending: null, cursor: new Date(before) });
              return;
            }
            case 'ads-entities': {
              const profile = await adsProfile(marketplace);
              const lists: [string, string][] = [
                ['/sp/campaigns/list', 'application/vnd.spCampaign.v3+json'],
                ['/sp/adGroups/list', 'application/vnd.spAdGroup.v3+json'],
                ['/sp/keywords/list', 'application/vnd.spKeyword.v3+json'],
                ['/sp/targets/list', 'application/vnd.spTargetingClause.v3+json'],
                ['/sp/productAds/list', 'application/vnd.spProductAd.v3+json'],
              ];
              for (const [path, type] of lists) {
                let nextToken: string | undefined;
                let page = 0;
                do {
                  const answer = (await ads('listEntities', 'POST', path, profile, { maxResults: 100, ...(nextToken ? { nextToken } : {}) }, type)).json<Record<string, unknown> & { nextToken?: string }>();
                  const hasRows = Object.values(answer).some((v) => Array.isArray(v) && v.length > 0);
                  if (hasRows) await importDocument(stream, account, marketplace, Buffer.from(JSON.stringify(answer)), `ads-api ${path} ${isoDay(now())} page ${++page}`, DataSourceKind.ADS_API);
                  nextToken = answer.nextToken;
                } while (nextToken);
              }
              await saveCursor(cursor, { pending: null, cursor: now() });
              return;
            }
            case 'ads-report': {
              const profile = await adsProfile(marketplace);
              const yesterday = new Date(Date.UTC(now().getUTCFullYear(), now().getUTCMonth(), now().getUTCDate() - 1));
              // Sponsored Products data is kept 95 days; one request covers at most 31 days.
              const oldest = new Date(yesterday.getTime() - 94 * DAY_MS);
              let start = new Date(Math.max(new Date(pending.startDate ?? isoDay(from)).getTime(), oldest.getTime()));
              while (start <= yesterday) {
                const end = new Date(Math.min(start.getTime() + 30 * DAY_MS, yesterday.getTime()));
                const startDate = isoDay(start);
                const endDate = isoDay(end);
                let reportId = pending.startDate === startDate ? pending.reportId : undefined;
                if (!reportId) {
                  const request = {
                    name: `sellergate ${stream.name} ${startDate}..${endDate}`,
                    startDate,
                    endDate,
                    configuration: { adProduct: 'SPONSORED_PRODUCTS', reportTypeId: stream.ads!.reportTypeId, groupBy: stream.ads!.groupBy, columns: stream.ads!.columns, timeUnit: 'DAILY', format: 'GZIP_JSON' },
                  };
                  try {
                    reportId = (await ads('createAdsReport', 'POST', '/reporting/reports', profile, request, 'application/vnd.createasyncreportrequest.v3+json')).json<{ reportId: string }>().reportId;
                  } catch (error) {
                    // 425: the same report was asked for before; Amazon names it: use that one.
                    const duplicate = error instanceof AmazonApiError && error.status === 425 ? error.duplicateOf : undefined;
                    if (!duplicate) throw error;
                    reportId = duplicate;
                  }
                  await saveCursor(cursor, { pending: { reportId, startDate, endDate } });
                }
                let status: { status: string; url?: string; failureReason?: string };
                for (;;) {
                  status = (await ads('getAdsReport', 'GET', `/reporting/reports/${encodeURIComponent(reportId)}`, profile)).json();
                  if (status.status === 'COMPLETED' || status.status === 'FAILED') break;
                  await sleep(pollMs);
                }
                if (status.status === 'FAILED') {
                  await saveCursor(cursor, { pending: null });
                  throw new SyncStepError('REPORT_FAILED', `Ads report ${reportId} (${stream.ads!.reportTypeId} ${startDate}..${endDate}) FAILED: nothing imported, the next run asks again`);
                }
                const file = await download(status.url!);
                const body = gunzip(file.body, `Ads report ${reportId}`);
                const rows = JSON.parse(body.toString('utf8')) as unknown[];
                if (rows.length > 0) await importDocument(stream, account, marketplace, body, `ads-api ${stream.ads!.reportTypeId} report ${reportId} ${startDate}..${endDate}`, DataSourceKind.ADS_API);
                start = new Date(end.getTime() + DAY_MS);
                await saveCursor(cursor, { pending: null, cursor: start });
                pending.startDate = undefined;
              }
              return;
            }
          }
        }

        /** getReportDocument, download, gunzip; an expired URL is asked for once more. */
        async function fetchDocument(documentId: string, what: string): Promise<Buffer> {
          for (let attempt = 1; ; attempt++) {
            const document = (await sp('getReportDocument', 'GET', `/reports/2021-06-30/documents/${encodeURIComponent(documentId)}`)).json<{ url: string; compressionAlgorithm?: string }>();
            try {
              const file = await download(document.url);
              return document.compressionAlgorithm === 'GZIP' ? gunzip(file.body, what) : file.body;
            } catch (error) {
              // Pre-signed URLs expire after five minutes: S3 answers 403 (AccessDenied).
              if (!(error instanceof AmazonApiError) || error.status !== 403) throw error;
              if (attempt >= 2) throw new SyncStepError('DOCUMENT_URL_EXPIRED', `${what}: the document URL had expired twice; nothing imported, the next run fetches it again`);
            }
          }
        }
      } catch (error) {
        if (error instanceof SyncAborted) {
          errors.push({ account, marketplace: ACCOUNT_WIDE, stream: '*', code: 'STOPPED', message: 'the sync run was stopped; the next run resumes where it stopped' });
          break;
        }
        if (error instanceof RefreshTokenRefused) {
          await dataSource.getRepository(AmazonCredential).update({ id: error.credentialId }, { refusedAt: now() });
          await recordSystemEvent(dataSource.manager, {
            level: 'ERROR',
            component: 'connectors',
            message: `Login with Amazon refused the refresh token of seller account ${account} (credential ${error.credentialId}, ${error.code}): marked stale; store a new one with \`sellergate credentials set --account ${account} --kind REFRESH_TOKEN\``,
            requestId: runId,
          });
          errors.push({ account, marketplace: ACCOUNT_WIDE, stream: '*', code: 'REFRESH_TOKEN_REFUSED', message: `Login with Amazon refused the refresh token (credential ${error.credentialId}): marked stale` });
          continue;
        }
        const code = error instanceof SyncStepError ? error.code : error instanceof AmazonApiError ? `AMAZON_${error.code}` : 'INTERNAL';
        errors.push({ account, marketplace: ACCOUNT_WIDE, stream: '*', code, message: error instanceof SyncStepError || error instanceof AmazonApiError ? error.message : 'internal error' });
      } finally {
        if (mine) ACCOUNTS_SYNCING.delete(account);
        if (locked) await lock?.query('SELECT pg_advisory_unlock($1, hashtext($2))', [SYNC_LOCK_CLASS, account]).catch(() => undefined);
        await lock?.release().catch(() => undefined);
      }
    }
    currentAccount = null;

    await client.close();
    await callLog.stop();
  } finally {
    await heartbeat.stop();
  }
  const finishedAt = now();
  const status: SyncRunStatus = errors.length === 0 ? 'SUCCEEDED' : totals.documents > 0 || errors.length < accounts.length * streams.length ? 'PARTIAL' : 'FAILED';
  await dataSource.getRepository(SyncRun).update(runId, {
    status,
    finishedAt,
    heartbeatAt: finishedAt,
    documents: totals.documents,
    rowsInserted: totals.inserted,
    rowsUpdated: totals.updated,
    rowsUnchanged: totals.unchanged,
    apiCalls: totals.apiCalls,
    errors,
    importRunIds,
  });
  if (errors.length > 0) {
    await recordSystemEvent(dataSource.manager, {
      level: status === 'FAILED' ? 'ERROR' : 'WARN',
      component: 'connectors',
      message: `sync run ${runId} ${status}: ${errors.length} error(s): ${errors.slice(0, 5).map((e) => `${e.account}/${e.marketplace}/${e.stream} ${e.code}`).join(', ')}`,
      requestId: runId,
    });
  }
  return {
    runId,
    status,
    accounts,
    streams: streams.map((s) => s.name),
    documents: totals.documents,
    rowsInserted: totals.inserted,
    rowsUpdated: totals.updated,
    rowsUnchanged: totals.unchanged,
    apiCalls: totals.apiCalls,
    importRunIds,
    errors,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
  };
}

interface Session {
  sp: LwaCredentials;
  ads: LwaCredentials;
  adsProfileIds: string[];
}

/** The account's stored credentials, revealed for this run (each reveal is recorded by the vault). */
async function openSession(dataSource: DataSource, vault: CredentialVault, account: string, actor: string, runId: string): Promise<Session> {
  const rows = await dataSource.getRepository(AmazonCredential).find({ select: { id: true, kind: true, label: true }, where: { sellerAccountId: account } });
  const pick = (kind: AmazonCredentialKind, label = 'default') => rows.find((r) => r.kind === kind && r.label === label) ?? (label === 'default' ? rows.find((r) => r.kind === kind) : undefined);
  const clientId = pick(AmazonCredentialKind.LWA_CLIENT_ID);
  const clientSecret = pick(AmazonCredentialKind.LWA_CLIENT_SECRET);
  const refresh = pick(AmazonCredentialKind.REFRESH_TOKEN);
  if (!clientId || !clientSecret || !refresh) {
    throw new SyncStepError('NO_CREDENTIALS', `Seller account ${account} needs LWA_CLIENT_ID, LWA_CLIENT_SECRET and REFRESH_TOKEN credentials (sellergate credentials set)`);
  }
  const reveal = (id: string) => dataSource.transaction((manager) => vault.reveal(manager, id, { actor, requestId: runId }));
  const sp: LwaCredentials = { partner: account, refreshTokenCredentialId: refresh.id, clientId: await reveal(clientId.id), clientSecret: await reveal(clientSecret.id), refreshToken: await reveal(refresh.id) };
  // The Ads API may be authorized with its own refresh token (label `ads`).
  const adsRefresh = pick(AmazonCredentialKind.REFRESH_TOKEN, 'ads');
  const ads: LwaCredentials = adsRefresh ? { ...sp, refreshTokenCredentialId: adsRefresh.id, refreshToken: await reveal(adsRefresh.id) } : sp;
  const adsProfileIds: string[] = [];
  for (const row of rows.filter((r) => r.kind === AmazonCredentialKind.ADS_PROFILE_ID)) adsProfileIds.push((await reveal(row.id)).trim());
  return { sp, ads, adsProfileIds };
}
