// `sellergate retention run|rules`, `sellergate hold place|list|release`,
// `sellergate deletion request|list|approve|reject|execute|certificate|verify`. Every command is admitted
// and recorded (src/admission/cli-admission.ts); every change is a user action (actor: the
// principal running it) in the same transaction as its effect; a dry run writes nothing.
import { existsSync, readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError } from 'commander';
import type { DeletionCertificate } from '../../entities/gateway/deletion-certificate.entity';
import type { DeletionRequest, DeletionRequestState } from '../../entities/gateway/deletion-request.entity';
import type { LegalHold } from '../../entities/gateway/legal-hold.entity';
import { decideDeletionRequest, executeDeletionRequest, findCertificate, isOverdue, listDeletionRequests, requestDeletion, verifyCertificate } from '../retention/deletion.service';
import { isHoldActive, listLegalHolds, placeLegalHold, releaseLegalHold } from '../retention/legal-hold.service';
import { loadRetentionRules } from '../retention/retention-rules';
import { runRetention, type RetentionRunReport } from '../retention/retention-runner';
import { certificateKeys, deletionSettings, runSettings, requireUnscopedForRetention } from '../retention/retention-settings';
import type { CliCommandSpec } from '../admission/cli-admission';
import { ALL_CATEGORIES, Category, Permission } from '../policy/taxonomy';
import { output, withAdmission, type CliDeps } from './cli-deps';

const RETENTION = { permission: Permission.MANAGE_RETENTION, what: 'manage retention and legal holds' } as const;
const DELETION = { permission: Permission.MANAGE_DELETION_REQUESTS, what: 'handle deletion requests' } as const;

function command(name: string, kind: CliCommandSpec['kind'], permission: CliCommandSpec['permission'], categories: readonly Category[] = ALL_CATEGORIES): CliCommandSpec {
  return { name, kind, permission, categories };
}

const list = (value: string): string[] => value.split(',').map((item) => item.trim()).filter(Boolean);

function date(value: string): Date {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) throw new InvalidArgumentError('a date, e.g. 2026-01-31 or 2026-01-31T12:00:00Z');
  return parsed;
}

function runText(report: RetentionRunReport): string {
  const head = report.dryRun
    ? `dry run (nothing changed), rules ${report.rulesVersion}`
    : `run ${report.runId} ${report.status}${report.resumed ? ' (resumed a crashed run)' : ''}, rules ${report.rulesVersion}`;
  const lines = report.rules.map((rule) => {
    const verb = report.dryRun ? 'would affect' : 'affected';
    const counts = Object.entries(rule.counts).map(([table, n]) => `${table}=${n}`).join(' ');
    const extra = [
      report.dryRun && rule.due !== undefined && rule.due !== rule.affected ? `${rule.due} due (per-run cap)` : '',
      rule.held ? `${rule.held} held` : '',
      counts,
      rule.firstKey ? `keys ${rule.firstKey}..${rule.lastKey}` : '',
      rule.error ? `ERROR ${rule.error}` : '',
    ].filter(Boolean);
    return `  ${rule.ruleId.padEnd(24)} ${rule.action.padEnd(9)} ${rule.target.padEnd(14)} before ${rule.cutoff.toISOString().slice(0, 10)}  ${verb} ${rule.affected}${extra.length ? `  (${extra.join(', ')})` : ''}`;
  });
  return [head, ...lines].join('\n');
}

const holdJson = (hold: LegalHold, now: Date) => ({ ...hold, active: isHoldActive(hold, now) });
const requestJson = (request: DeletionRequest, now: Date) => ({ ...request, overdue: isOverdue(request, now) });

function requestText(request: DeletionRequest, now: Date): string {
  const scope = request.state === 'EXECUTED' ? `${request.scopeDigests.length} digest(s)` : request.scopeOrderIds.length ? `orders ${request.scopeOrderIds.join(',')}` : `account ${request.scopeAccountId}`;
  return `${request.id}  ${request.state.padEnd(8)} ${request.source.padEnd(7)} due ${request.dueAt.toISOString()}${isOverdue(request, now) ? ' OVERDUE' : ''}  ${scope}  requester=${request.requester}`;
}

function certificateText(certificate: DeletionCertificate): string {
  return [
    `certificate ${certificate.id} for request ${certificate.requestId}`,
    `issued ${certificate.issuedAt.toISOString()} by ${certificate.executedBy}; scope ${certificate.scopeKind} (${certificate.scopeDigests.length} digest(s))`,
    ...Object.entries(certificate.counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([table, n]) => `  ${table.padEnd(36)} ${n}`),
    `  ${'total'.padEnd(36)} ${certificate.totalRows}`,
    `signature ${certificate.signature}`,
  ].join('\n');
}

/** `--amazon-order-ids` (named as in GraphQL), and the deprecated `--orders` it replaces. */
function amazonOrderIdsOf(options: { amazonOrderIds?: string[]; orders?: string[] }): string[] | undefined {
  if (options.orders) process.stderr.write('--orders is deprecated: use --amazon-order-ids\n');
  if (!options.amazonOrderIds && !options.orders) return undefined;
  return [...new Set([...(options.amazonOrderIds ?? []), ...(options.orders ?? [])])];
}

export function registerRetentionCommands(program: Command, deps: CliDeps): void {
  const retention = program.command('retention').description('Retention rules: apply them (or preview with --dry-run), list them');

  retention
    .command('run')
    .description('Apply the retention rules now: per rule, what was (or with --dry-run would be) affected')
    .option('--dry-run', 'report what would be affected; change nothing')
    .option('--rule <id>', 'apply only this rule')
    .option('--json', 'print the report as JSON')
    .action(async (options: { dryRun?: boolean; rule?: string; json?: boolean }) => {
      const settings = deps.config();
      const rules = loadRetentionRules(settings);
      const report = await withAdmission(deps, command('retention run', options.dryRun ? 'query' : 'mutation', RETENTION), (ctx, db) => {
        requireUnscopedForRetention(ctx);
        return runRetention(db.dataSource, { ...runSettings(settings), rules, trigger: 'cli', actor: ctx.principal!.id, dryRun: options.dryRun, ruleId: options.rule });
      },
      );
      output(options.json, report, () => runText(report));
      if (report.status === 'FAILED') process.exitCode = 1;
    });

  retention
    .command('rules')
    .description('List the retention rules in force (defaults, overridden by RETENTION_FILE)')
    .option('--json', 'print as JSON')
    .action((options: { json?: boolean }) => {
      const rules = loadRetentionRules(deps.config());
      output(options.json, rules, () =>
        [`rules ${rules.version}`, ...rules.rules.map((r) => `  ${r.id.padEnd(24)} ${r.enabled ? '' : '(off) '}${r.action} ${r.target}${r.fields ? ` [${r.fields.join(',')}]` : ''} ${r.after} after ${r.clock}: ${r.reason}`)].join('\n'),
      );
    });

  const hold = program.command('hold').description('Legal holds: records they cover are skipped by retention and deletion');
  hold
    .command('place')
    .description('Place a legal hold (name an account, order ids, settlement ids and/or a date range)')
    .requiredOption('--reason <text>', 'why the records are held')
    .option('--account <sellerId>', 'records of this seller account')
    .option('--amazon-order-ids <ids>', 'Amazon order ids (comma-separated)', list)
    .option('--orders <ids>', 'deprecated: use --amazon-order-ids', list)
    .option('--settlements <ids>', 'settlement ids (comma-separated)', list)
    .option('--from <date>', 'record dates from (inclusive)', date)
    .option('--to <date>', 'record dates to (exclusive)', date)
    .option('--ends <date>', 'when the hold lapses (default: until released)', date)
    .option('--json', 'print the hold as JSON')
    .action(async (options: { reason: string; account?: string; amazonOrderIds?: string[]; orders?: string[]; settlements?: string[]; from?: Date; to?: Date; ends?: Date; json?: boolean }) => {
      const now = new Date();
      const amazonOrderIds = amazonOrderIdsOf(options);
      const placed = await withAdmission(deps, command('hold place', 'mutation', RETENTION), (ctx, db) =>
        db.dataSource.transaction((manager) =>
          placeLegalHold(
            manager,
            { reason: options.reason, sellerAccountId: options.account, amazonOrderIds, settlementIds: options.settlements, fromDate: options.from, toDate: options.to, endsAt: options.ends },
            { actor: ctx.principal!.id, now, scope: ctx.scope },
          ),
        ),
      );
      output(options.json, holdJson(placed, now), () => `placed legal hold ${placed.id}`);
    });
  hold
    .command('list')
    .description('List active legal holds (--all: released and lapsed ones too)')
    .option('--all', 'include released and lapsed holds')
    .option('--json', 'print as JSON')
    .action(async (options: { all?: boolean; json?: boolean }) => {
      const now = new Date();
      const holds = await withAdmission(deps, command('hold list', 'query', RETENTION), (ctx, db) => listLegalHolds(db.dataSource.manager, { includeInactive: options.all, now, scope: ctx.scope }));
      output(options.json, holds.map((h) => holdJson(h, now)), () =>
        holds.length === 0
          ? 'no legal holds'
          : holds
              .map((h) => {
                const scope = [h.sellerAccountId && `account ${h.sellerAccountId}`, h.amazonOrderIds.length && `orders ${h.amazonOrderIds.join(',')}`, h.settlementIds.length && `settlements ${h.settlementIds.join(',')}`, (h.fromDate || h.toDate) && `dates ${h.fromDate?.toISOString() ?? '-'}..${h.toDate?.toISOString() ?? '-'}`].filter(Boolean);
                return `${h.id}  ${isHoldActive(h, now) ? 'active  ' : 'inactive'}  ${scope.join('; ')}  reason: ${h.reason}`;
              })
              .join('\n'),
      );
    });
  hold
    .command('release <id>')
    .description('Release a legal hold')
    .requiredOption('--reason <text>', 'why it is released')
    .option('--json', 'print the hold as JSON')
    .action(async (id: string, options: { reason: string; json?: boolean }) => {
      const now = new Date();
      const released = await withAdmission(deps, command('hold release', 'mutation', RETENTION), (ctx, db) =>
        db.dataSource.transaction((manager) => releaseLegalHold(manager, id, options.reason, { actor: ctx.principal!.id, now, scope: ctx.scope })),
      );
      output(options.json, holdJson(released, now), () => `released legal hold ${released.id}`);
    });

  const deletion = program.command('deletion').description('Data deletion requests: request, approve or reject, execute, certificate');
  deletion
    .command('request')
    .description('Receive a deletion request (due in DELETION_DUE_DAYS; DELETION_AMAZON_DUE_HOURS with --amazon)')
    .requiredOption('--reason <text>', 'why the data is to be deleted')
    .requiredOption('--requester <who>', 'who asked')
    .option('--amazon-order-ids <ids>', 'Amazon order ids (comma-separated), with every row derived from them', list)
    .option('--orders <ids>', 'deprecated: use --amazon-order-ids', list)
    .option('--account <sellerId>', 'limit the orders to this account, or alone: every data row of the account')
    .option('--amazon', 'initiated by Amazon')
    .option('--json', 'print the request as JSON')
    .action(async (options: { reason: string; requester: string; amazonOrderIds?: string[]; orders?: string[]; account?: string; amazon?: boolean; json?: boolean }) => {
      const now = new Date();
      const amazonOrderIds = amazonOrderIdsOf(options);
      const request = await withAdmission(deps, command('deletion request', 'mutation', DELETION), (ctx, db) =>
        db.dataSource.transaction((manager) =>
          requestDeletion(
            manager,
            { scope: { account: options.account, amazonOrderIds }, reason: options.reason, requester: options.requester, source: options.amazon ? 'AMAZON' : 'COMPANY' },
            { actor: ctx.principal!.id, now, scope: ctx.scope },
            deletionSettings(deps.config()),
          ),
        ),
      );
      output(options.json, requestJson(request, now), () => `received deletion request ${request.id}, due ${request.dueAt.toISOString()}`);
    });
  deletion
    .command('list')
    .description('List deletion requests, newest first')
    .option('--state <state>', 'RECEIVED, APPROVED, REJECTED or EXECUTED')
    .option('--overdue', 'only those past their due date')
    .option('--json', 'print as JSON')
    .action(async (options: { state?: string; overdue?: boolean; json?: boolean }) => {
      const now = new Date();
      const requests = await withAdmission(deps, command('deletion list', 'query', DELETION), (ctx, db) =>
        listDeletionRequests(db.dataSource.manager, { state: options.state?.toUpperCase() as DeletionRequestState | undefined, overdue: options.overdue ? true : undefined, now, scope: ctx.scope }),
      );
      output(options.json, requests.map((r) => requestJson(r, now)), () => (requests.length ? requests.map((r) => requestText(r, now)).join('\n') : 'no deletion requests'));
    });
  for (const [name, decision] of [['approve', 'APPROVED'], ['reject', 'REJECTED']] as const) {
    deletion
      .command(`${name} <id>`)
      .description(`${name === 'approve' ? 'Approve' : 'Reject'} a RECEIVED deletion request`)
      .requiredOption('--reason <text>', 'the reason for the decision')
      .option('--json', 'print the request as JSON')
      .action(async (id: string, options: { reason: string; json?: boolean }) => {
        const now = new Date();
        const request = await withAdmission(deps, command(`deletion ${name}`, 'mutation', DELETION), (ctx, db) =>
          db.dataSource.transaction((manager) => decideDeletionRequest(manager, id, decision, options.reason, { actor: ctx.principal!.id, now, scope: ctx.scope }, ctx.policy.deletion)),
        );
        output(options.json, requestJson(request, now), () => `deletion request ${request.id} ${request.state}`);
      });
  }
  deletion
    .command('execute <id>')
    .description('Execute an APPROVED request (refused while a legal hold covers it) and print its certificate')
    .option('--json', 'print the certificate as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const certificate = await withAdmission(deps, command('deletion execute', 'mutation', DELETION), (ctx, db) =>
        db.dataSource.transaction((manager) => executeDeletionRequest(manager, id, { actor: ctx.principal!.id, now: new Date(), scope: ctx.scope }, certificateKeys(deps.config()), ctx.policy.deletion)),
      );
      output(options.json, certificate, () => certificateText(certificate));
    });
  deletion
    .command('certificate <requestId>')
    .description('Print the certificate of an executed request')
    .option('--json', 'print as JSON')
    .action(async (requestId: string, options: { json?: boolean }) => {
      const certificate = await withAdmission(deps, command('deletion certificate', 'query', DELETION), (ctx, db) => findCertificate(db.dataSource.manager, requestId, ctx.scope));
      if (!certificate) throw new Error(`No certificate for deletion request ${requestId}`);
      output(options.json, certificate, () => certificateText(certificate));
    });
  deletion
    .command('verify <certificate>')
    .description('Check a certificate (a file holding its JSON, or the id of an executed request): signature, contents, and that it was issued for that request; exit code 1 when invalid')
    .option('--json', 'print the outcome as JSON')
    .action(async (certificate: string, options: { json?: boolean }) => {
      const result = await withAdmission(deps, command('deletion verify', 'query', DELETION), async (ctx, db) => {
        let text: string;
        if (existsSync(certificate)) {
          text = readFileSync(certificate, 'utf8');
        } else {
          const issued = await findCertificate(db.dataSource.manager, certificate, ctx.scope);
          if (!issued) throw new Error(`${certificate} is neither a certificate file nor an executed deletion request`);
          text = JSON.stringify(issued);
        }
        return verifyCertificate(db.dataSource.manager, text, certificateKeys(deps.config()));
      });
      output(options.json, result, () =>
        result.valid
          ? `certificate VALID for deletion request ${result.requestId} (${result.totalRows} row(s) deleted)`
          : [`certificate INVALID${result.requestId ? ` (deletion request ${result.requestId})` : ''}:`, ...result.problems.map((problem) => `  - ${problem}`)].join('\n'),
      );
      if (!result.valid) process.exitCode = 1;
    });
}
