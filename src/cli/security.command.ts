// `sellergate suspension list|reinstate`, `sellergate persisted add|list|remove`,
// `sellergate access-review`: the security operations from the command line, each admitted and
// recorded in the audit log (src/admission/cli-admission.ts).
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { PrincipalSuspension } from '../../entities/gateway/principal-suspension.entity';
import { Permission } from '../policy/taxonomy';
import { accessReviewCsv, buildAccessReview, lastSignOff, signOffAccessReview } from '../security/access-review.service';
import { listPersistedOperations, registerManifest, registerPersistedOperation, removePersistedOperation } from '../security/persisted-operations';
import { SuspensionService } from '../security/suspension.service';
import { output, withAdmission, type CliDeps } from './cli-deps';

// Loaded when a change is published: most commands never need the feed's clients (Redis, pg).
const changeFeed = () => require('../server/change-feed') as typeof import('../server/change-feed');

const SUSPENSIONS = { permission: Permission.SUSPEND_PRINCIPALS, what: 'review suspensions' } as const;
const PERSISTED = { permission: Permission.MANAGE_TOKENS, what: "manage tokens' persisted operations" } as const;
const ACCESS_REVIEW = { permission: [Permission.EXPLAIN_ACCESS, Permission.MANAGE_TOKENS], what: 'review access' } as const;

function describeSuspension(row: PrincipalSuspension) {
  return {
    id: row.id,
    principalId: row.principalId,
    principalKind: row.principalKind,
    principalRole: row.principalRole,
    rule: row.rule,
    reason: row.reason,
    suspendedAt: row.suspendedAt.toISOString(),
    requestId: row.requestId,
    reinstatedAt: row.reinstatedAt?.toISOString() ?? null,
    reinstatedBy: row.reinstatedBy,
    reviewNote: row.reviewNote,
  };
}

function format(value: string): 'csv' | 'json' {
  if (value !== 'csv' && value !== 'json') throw new InvalidArgumentError('csv or json');
  return value;
}

export function registerSecurityCommands(program: Command, deps: CliDeps): void {
  const suspension = program.command('suspension').description('Principals suspended after suspicious activity: list, reinstate after review');
  suspension
    .command('list')
    .description('List active suspensions (all, including reinstated, with --all)')
    .option('--all', 'include reinstated suspensions')
    .option('--json', 'print as JSON')
    .action(async (options: { all?: boolean; json?: boolean }) => {
      const rows = await withAdmission(deps, { name: 'suspension list', kind: 'query', permission: SUSPENSIONS }, (ctx, db) =>
        new SuspensionService(db.dataSource, { cacheMs: 0 }).list({ all: options.all, scope: ctx.scope }),
      );
      output(options.json, rows.map(describeSuspension), () =>
        rows.length === 0
          ? 'no suspensions'
          : rows
              .map((r) => `${r.principalKind} ${r.principalId}  ${r.rule}  since ${r.suspendedAt.toISOString()}${r.reinstatedAt ? `  reinstated ${r.reinstatedAt.toISOString()} by ${r.reinstatedBy}` : ''}\n  ${r.reason}`)
              .join('\n'),
      );
    });
  suspension
    .command('reinstate <principal>')
    .description('End a suspension after review: the principal is served again (every gateway at once, through the change feed)')
    .requiredOption('--note <text>', 'what the review found')
    .option('--json', 'print the result as JSON')
    .action(async (principal: string, options: { note: string; json?: boolean }) => {
      const row = await withAdmission(deps, { name: 'suspension reinstate', kind: 'mutation', permission: SUSPENSIONS }, (ctx, db) => {
        const changes = changeFeed().createChangeFeed({ config: deps.config(), dataSource: db.dataSource });
        return new SuspensionService(db.dataSource, { cacheMs: 0, changes }).reinstate(principal, { by: ctx.principal!.id, note: options.note, scope: ctx.scope }).finally(() => changes.stop());
      });
      output(options.json, describeSuspension(row), () => `reinstated ${row.principalKind} ${row.principalId} (suspended for ${row.rule})`);
    });

  const persisted = program.command('persisted').description('Operations registered for (partner) tokens, which may run nothing else');
  persisted
    .command('add <file>')
    .description(
      'Register the GraphQL document in <file> for a token (matched by the SHA-256 of its text or of its normalized form), or every operation of a ' +
        'manifest (.json): GraphQL Code Generator persisted documents { "<sha256>": "<document>" } or an Apollo persisted query manifest',
    )
    .requiredOption('--token <id>', 'token id')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { token: string; json?: boolean }) => {
      const text = readFileSync(file, 'utf8');
      if (file.endsWith('.json')) {
        let manifest: unknown;
        try {
          manifest = JSON.parse(text);
        } catch (error) {
          throw new Error(`${file} is not JSON: ${(error as Error).message}`);
        }
        const rows = await withAdmission(deps, { name: 'persisted add', kind: 'mutation', permission: PERSISTED }, (ctx, db) =>
          db.dataSource.transaction((manager) => registerManifest(manager, { tokenId: options.token, manifest, createdBy: ctx.principal!.id })),
        );
        output(options.json, rows.map((row) => ({ id: row.id, tokenId: row.tokenId, documentHash: row.documentHash, operationName: row.operationName })), () =>
          [`registered ${rows.length} operation(s) for token ${options.token}`, ...rows.map((row) => `sha256 ${row.documentHash}  ${row.operationName}`)].join('\n'),
        );
        return;
      }
      const document = text;
      const row = await withAdmission(deps, { name: 'persisted add', kind: 'mutation', permission: PERSISTED }, (ctx, db) =>
        db.dataSource.transaction((manager) => registerPersistedOperation(manager, { tokenId: options.token, document, createdBy: ctx.principal!.id })),
      );
      output(options.json, { id: row.id, tokenId: row.tokenId, documentHash: row.documentHash, operationName: row.operationName }, () =>
        `registered ${row.operationName} for token ${row.tokenId}\nsha256 ${row.documentHash} (send it as extensions.persistedQuery.sha256Hash, or the exact document)`,
      );
    });
  persisted
    .command('list')
    .description('List registered operations')
    .option('--token <id>', 'only this token\'s')
    .option('--json', 'print as JSON')
    .action(async (options: { token?: string; json?: boolean }) => {
      const rows = await withAdmission(deps, { name: 'persisted list', kind: 'query', permission: PERSISTED }, (_ctx, db) => listPersistedOperations(db.dataSource.manager, options.token));
      output(options.json, rows.map((r) => ({ tokenId: r.tokenId, documentHash: r.documentHash, operationName: r.operationName, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() })), () =>
        rows.length === 0 ? 'no persisted operations' : rows.map((r) => `${r.tokenId}  ${r.documentHash}  ${r.operationName}`).join('\n'),
      );
    });
  persisted
    .command('remove <sha256>')
    .description('Unregister an operation for a token')
    .requiredOption('--token <id>', 'token id')
    .action(async (hash: string, options: { token: string }) => {
      const removed = await withAdmission(deps, { name: 'persisted remove', kind: 'mutation', permission: PERSISTED }, (ctx, db) =>
        removePersistedOperation(db.dataSource.manager, options.token, hash, ctx.principal!.id),
      );
      if (!removed) throw new Error(`No operation ${hash} registered for token ${options.token}`);
      output(false, null, () => `removed ${hash} for token ${options.token}`);
    });

  program
    .command('access-review')
    .description('Every principal with role, purposes, scope, dates; grants unused within ACCESS_REVIEW_UNUSED_DAYS flagged')
    .option('--format <format>', 'csv or json', format, 'csv')
    .option('--sign-off', 'record that this review was reviewed and signed off')
    .option('--note <text>', 'sign-off note')
    .option('--reviewer <name>', 'a name recorded beside the sign-off, as a label (the reviewer is always the principal running the command)')
    .action(async (options: { format: 'csv' | 'json'; signOff?: boolean; note?: string; reviewer?: string }) => {
      const settings = deps.config();
      const spec = { name: options.signOff ? 'access-review --sign-off' : 'access-review', kind: options.signOff ? 'mutation' : 'query', permission: ACCESS_REVIEW } as const;
      const { report, signedOff, last } = await withAdmission(deps, spec, async (ctx, db) => {
        const review = await buildAccessReview(db.dataSource.manager, ctx.policy, { unusedDays: settings.ACCESS_REVIEW_UNUSED_DAYS, scope: ctx.scope });
        const signed = options.signOff
          ? await db.dataSource.transaction((manager) => signOffAccessReview(manager, review, { reviewer: `${ctx.principal!.kind}:${ctx.principal!.id}`, reviewerLabel: options.reviewer ?? null, scope: ctx.scope, note: options.note }))
          : null;
        return { report: review, signedOff: signed, last: signed ?? (await lastSignOff(ctx, db.dataSource.manager)) };
      });
      if (options.format === 'json') {
        output(true, { ...report, lastSignOff: last ? { id: last.id, reviewer: last.reviewer, reviewerLabel: last.reviewerLabel, accounts: last.scopeAccounts, marketplaces: last.scopeMarketplaces, signedAt: last.signedAt, note: last.note } : null }, () => '');
      } else {
        process.stdout.write(accessReviewCsv(report));
        // The CSV lists principals; stale Amazon credentials (in the JSON) are named here.
        for (const credential of report.staleCredentials) {
          process.stderr.write(`stale Amazon credential ${credential.id} (${credential.sellerAccountId} ${credential.kind} ${credential.label}): ${credential.ageDays} days old, limit ${report.credentialMaxAgeDays}\n`);
        }
        if (signedOff) process.stderr.write(`signed off as ${signedOff.id} by ${signedOff.reviewer}${signedOff.reviewerLabel ? ` (${signedOff.reviewerLabel})` : ''}\n`);
      }
    });
}
