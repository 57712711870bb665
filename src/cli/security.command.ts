// `sellergate suspension list|reinstate`, `sellergate persisted add|list|remove`,
// `sellergate access-review`: the security operations from the command line. Every change is
// recorded as an administrative action and in the audit log.
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import type { DataSource } from 'typeorm';
import type { PrincipalSuspension } from '../../entities/gateway/principal-suspension.entity';
import { AuditWriter } from '../audit/audit.writer';
import { policyInForce } from '../policy/policy-store';
import { accessReviewCsv, buildAccessReview, lastSignOff, signOffAccessReview } from '../security/access-review.service';
import { listPersistedOperations, registerPersistedOperation, removePersistedOperation } from '../security/persisted-operations';
import { SuspensionService } from '../security/suspension.service';
import { createChangeFeed } from '../server/change-feed';
import { output, withDatabase, type CliDeps } from './cli-deps';

function operator(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

/** One audit record for an administrative action taken from the command line. */
async function auditCliAction(dataSource: DataSource, policyVersion: string, operationName: string): Promise<void> {
  const writer = new AuditWriter(dataSource);
  try {
    await writer.append({
      timestamp: new Date(),
      requestId: `cli-${Date.now().toString(36)}`,
      principalId: operator(),
      principalKind: 'cli',
      principalRole: null,
      purpose: null,
      clientName: 'sellergate-cli',
      clientVersion: null,
      sourceIp: null,
      userAgent: null,
      operationType: 'mutation',
      operationName,
      documentHash: null,
      variables: null,
      fields: [],
      categories: [],
      masked: [],
      denied: [],
      rowsByCategory: {},
      outcome: 'ok',
      errorCodes: [],
      durationMs: 0,
      policyVersion,
    });
  } finally {
    await writer.stop();
  }
}

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
      await withDatabase(deps, async (db) => {
        const rows = await new SuspensionService(db.dataSource, { cacheMs: 0 }).list({ all: options.all });
        output(options.json, rows.map(describeSuspension), () =>
          rows.length === 0
            ? 'no suspensions'
            : rows
                .map((r) => `${r.principalKind} ${r.principalId}  ${r.rule}  since ${r.suspendedAt.toISOString()}${r.reinstatedAt ? `  reinstated ${r.reinstatedAt.toISOString()} by ${r.reinstatedBy}` : ''}\n  ${r.reason}`)
                .join('\n'),
        );
      });
    });
  suspension
    .command('reinstate <principal>')
    .description('End a suspension after review: the principal is served again (every gateway at once, through the change feed)')
    .requiredOption('--note <text>', 'what the review found')
    .option('--json', 'print the result as JSON')
    .action(async (principal: string, options: { note: string; json?: boolean }) => {
      await withDatabase(deps, async (db) => {
        // The policy in force (the newest applied, else POLICY_FILE, else the default).
        const { policy } = await policyInForce(db.dataSource.manager, deps.config());
        const changes = createChangeFeed({ config: deps.config(), dataSource: db.dataSource });
        const row = await new SuspensionService(db.dataSource, { cacheMs: 0, changes }).reinstate(principal, { by: operator(), note: options.note }).finally(() => changes.stop());
        await auditCliAction(db.dataSource, policy.version, 'reinstatePrincipal');
        output(options.json, describeSuspension(row), () => `reinstated ${row.principalKind} ${row.principalId} (suspended for ${row.rule})`);
      });
    });

  const persisted = program.command('persisted').description('Operations registered for (partner) tokens, which may run nothing else');
  persisted
    .command('add <file>')
    .description('Register the GraphQL document in <file> for a token (by the SHA-256 of its text)')
    .requiredOption('--token <id>', 'token id')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { token: string; json?: boolean }) => {
      const document = readFileSync(file, 'utf8');
      await withDatabase(deps, async (db) => {
        // The policy in force (the newest applied, else POLICY_FILE, else the default).
        const { policy } = await policyInForce(db.dataSource.manager, deps.config());
        const row = await db.dataSource.transaction((manager) => registerPersistedOperation(manager, { tokenId: options.token, document, createdBy: operator() }));
        await auditCliAction(db.dataSource, policy.version, 'registerPersistedOperation');
        output(options.json, { id: row.id, tokenId: row.tokenId, documentHash: row.documentHash, operationName: row.operationName }, () =>
          `registered ${row.operationName} for token ${row.tokenId}\nsha256 ${row.documentHash} (send it as extensions.persistedQuery.sha256Hash, or the exact document)`,
        );
      });
    });
  persisted
    .command('list')
    .description('List registered operations')
    .option('--token <id>', 'only this token\'s')
    .option('--json', 'print as JSON')
    .action(async (options: { token?: string; json?: boolean }) => {
      await withDatabase(deps, async (db) => {
        const rows = await listPersistedOperations(db.dataSource.manager, options.token);
        output(options.json, rows.map((r) => ({ tokenId: r.tokenId, documentHash: r.documentHash, operationName: r.operationName, createdBy: r.createdBy, createdAt: r.createdAt.toISOString() })), () =>
          rows.length === 0 ? 'no persisted operations' : rows.map((r) => `${r.tokenId}  ${r.documentHash}  ${r.operationName}`).join('\n'),
        );
      });
    });
  persisted
    .command('remove <sha256>')
    .description('Unregister an operation for a token')
    .requiredOption('--token <id>', 'token id')
    .action(async (hash: string, options: { token: string }) => {
      await withDatabase(deps, async (db) => {
        // The policy in force (the newest applied, else POLICY_FILE, else the default).
        const { policy } = await policyInForce(db.dataSource.manager, deps.config());
        const removed = await removePersistedOperation(db.dataSource.manager, options.token, hash, operator());
        if (!removed) throw new Error(`No operation ${hash} registered for token ${options.token}`);
        await auditCliAction(db.dataSource, policy.version, 'removePersistedOperation');
        output(false, null, () => `removed ${hash} for token ${options.token}`);
      });
    });

  program
    .command('access-review')
    .description('Every principal with role, purposes, scope, dates; grants unused within ACCESS_REVIEW_UNUSED_DAYS flagged')
    .option('--format <format>', 'csv or json', format, 'csv')
    .option('--sign-off', 'record that this review was reviewed and signed off')
    .option('--note <text>', 'sign-off note')
    .option('--reviewer <name>', 'who signs off (default: cli:<os user>)')
    .action(async (options: { format: 'csv' | 'json'; signOff?: boolean; note?: string; reviewer?: string }) => {
      const settings = deps.config();
      await withDatabase(deps, async (db) => {
        // The policy in force (the newest applied, else POLICY_FILE, else the default).
        const { policy } = await policyInForce(db.dataSource.manager, settings);
        const report = await buildAccessReview(db.dataSource.manager, policy, { unusedDays: settings.ACCESS_REVIEW_UNUSED_DAYS });
        let signedOff = null;
        if (options.signOff) {
          signedOff = await db.dataSource.transaction((manager) => signOffAccessReview(manager, report, { reviewer: options.reviewer ?? operator(), note: options.note }));
          await auditCliAction(db.dataSource, policy.version, 'signOffAccessReview');
        }
        if (options.format === 'json') {
          const last = signedOff ?? (await lastSignOff(db.dataSource.manager));
          output(true, { ...report, lastSignOff: last ? { id: last.id, reviewer: last.reviewer, signedAt: last.signedAt, note: last.note } : null }, () => '');
        } else {
          process.stdout.write(accessReviewCsv(report));
          // The CSV lists principals; stale Amazon credentials (in the JSON) are named here.
          for (const credential of report.staleCredentials) {
            process.stderr.write(`stale Amazon credential ${credential.id} (${credential.sellerAccountId} ${credential.kind} ${credential.label}): ${credential.ageDays} days old, limit ${report.credentialMaxAgeDays}\n`);
          }
          if (signedOff) process.stderr.write(`signed off as ${signedOff.id} by ${signedOff.reviewer}\n`);
        }
      });
    });
}
