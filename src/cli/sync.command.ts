// `sellergate sync`: pulls from the Selling Partner API and the Amazon Ads API with the stored
// credentials, for every account (or the one named), every stream (or the ones named), from each
// stream's cursor (or --since). Admitted like every command (IMPORT_DATA): one audit record per run.
import { InvalidArgumentError, type Command } from 'commander';
import { syncAs } from '../connectors/sync-service';
import type { SyncReport } from '../connectors/sync';
import { STREAMS } from '../connectors/streams';
import { ALL_CATEGORIES, Category, Permission } from '../policy/taxonomy';
import { output, withAdmission, type CliDeps } from './cli-deps';

function time(value: string): Date {
  const parsed = /^\d+d$/.test(value) ? new Date(Date.now() - Number(value.slice(0, -1)) * 86_400_000) : new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new InvalidArgumentError('an ISO date or time (2026-11-01, 2026-11-01T00:00:00Z) or a number of days back (7d)');
  return parsed;
}

function list(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

export function formatSyncReport(report: SyncReport): string {
  const lines = [
    `sync run ${report.runId}: ${report.status}`,
    `  accounts ${report.accounts.join(', ') || '-'}; ${report.streams.length} stream(s)`,
    `  documents imported ${report.documents}; rows inserted ${report.rowsInserted}, updated ${report.rowsUpdated}, unchanged ${report.rowsUnchanged}; Amazon API calls ${report.apiCalls}`,
  ];
  for (const e of report.errors) lines.push(`  ${e.account} ${e.marketplace} ${e.stream}: ${e.code}: ${e.message}`);
  return lines.join('\n');
}

export function registerSyncCommands(program: Command, deps: CliDeps): void {
  const streams = STREAMS.map((s) => `  ${s.name.padEnd(24)} ${s.description}`).join('\n');
  program
    .command('sync')
    .description('Pull new data from the Selling Partner API and the Amazon Ads API with the stored credentials, through the importers')
    .option('--account <sellerId>', 'only this seller account (repeat or comma-separate for several); default: every account with stored credentials', list)
    .option('--stream <name>', 'only this stream (repeat or comma-separate); default: all', list)
    .option('--since <time>', "start each stream's window here instead of at its cursor (ISO date/time, or 7d)", time)
    .option('--json', 'print the run report as JSON')
    .addHelpText(
      'after',
      `
Streams:
${streams}

Each (account, marketplace, stream) keeps a cursor: a run asks only for what is new since the last
one, and a run stopped half way resumes where it stopped. Each document is one import run (its
provenance: SP_API or ADS_API, the report or page, the principal); personal columns are dropped
exactly as for files, and no Restricted Data Token is requested. Importing a document again
changes nothing. Amazon's rate limits are kept (token bucket per operation and seller account,
x-amzn-RateLimit-Limit and Retry-After honored; 429 and 5xx retried with backoff).

Needs IMPORT_DATA (a token acts within its account scope). Credentials: \`sellergate credentials
set --account <id> --kind LWA_CLIENT_ID|LWA_CLIENT_SECRET|REFRESH_TOKEN [--label ads]\`.
Hosts: SPAPI_ENDPOINT, ADS_API_ENDPOINT, LWA_ENDPOINT. Schedule in the server: SYNC_SCHEDULE.
Exit status 1 when any stream failed (see docs/connectors.md).`,
    )
    .action(async (options: { account?: string[]; stream?: string[]; since?: Date; json?: boolean }) => {
      const spec = { name: 'sync', kind: 'mutation', permission: { permission: Permission.IMPORT_DATA, what: 'import data' }, categories: ALL_CATEGORIES.filter((c) => c !== Category.SYSTEM_LOGS) } as const;
      const report = await withAdmission(deps, spec, (ctx, db) =>
        syncAs(
          { dataSource: db.dataSource, config: deps.config(), principalId: ctx.principal!.id, scope: ctx.scope, trigger: 'cli', countRows: (category, rows) => ctx.governance.countRows(category, rows) },
          { accounts: options.account, streams: options.stream, since: options.since },
        ),
      );
      output(options.json, report, () => formatSyncReport(report));
      if (report.status !== 'SUCCEEDED') process.exitCode = 1;
    });
}
