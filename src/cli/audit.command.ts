// `sellergate audit verify|tail|export|checkpoint`: check and read the audit log from the
// command line (the same chain `auditRecords` serves over GraphQL).
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, InvalidArgumentError } from 'commander';
import type { DataSource } from 'typeorm';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { checkpointHead } from '../audit/audit-checkpoint';
import { verifyChain } from '../audit/audit-verify';
import type { CliCommandSpec } from '../admission/cli-admission';
import { Category, Purpose } from '../policy/taxonomy';
import { output, withAdmission, type CliDeps } from './cli-deps';

/** Reading the audit log is reading SYSTEM_LOGS under AUDIT (the operator's default purpose). */
function reading(name: string, prints: boolean): CliCommandSpec {
  return { name, kind: 'query', categories: [Category.SYSTEM_LOGS], purpose: Purpose.AUDIT, ...(prints ? { prints: ['AuditRecord'] } : {}) };
}

function recordId(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('a record id (a positive integer)');
  return value;
}

function count(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('a positive integer');
  return parsed;
}

/** A record as exported: every column, the chain hashes included. */
export function exportedRecord(record: AuditRecord) {
  return { ...record, id: String(record.id), timestamp: record.timestamp.toISOString(), documentHash: record.documentHash?.trim() ?? null, prevHash: record.prevHash.trim(), hash: record.hash.trim() };
}

function line(record: AuditRecord): string {
  const who = record.principalId ? `${record.principalId} (${record.principalRole ?? '?'})` : 'anonymous';
  const what = [record.operationType, record.operationName].filter(Boolean).join(' ') || '-';
  const codes = record.errorCodes.length ? ` [${record.errorCodes.join(',')}]` : '';
  return `#${record.id} ${record.timestamp.toISOString()} ${record.outcome.padEnd(7)} ${who} purpose=${record.purpose ?? '-'}${record.purposes?.length ? ` purposes=${record.purposes.join(',')}` : ''} ${what} fields=${record.fields.length} request=${record.requestId}${codes}`;
}

async function recordsAfter(dataSource: DataSource, after: string, limit: number, to?: string): Promise<AuditRecord[]> {
  const query = dataSource.getRepository(AuditRecord).createQueryBuilder('r').where('r.id > :after', { after }).orderBy('r.id', 'ASC').limit(limit);
  if (to) query.andWhere('r.id <= :to', { to });
  return query.getMany();
}

export function registerAuditCommands(program: Command, deps: CliDeps): void {
  const audit = program.command('audit').description('The tamper-evident audit log: verify, tail, export, checkpoint');

  audit
    .command('verify')
    .description('Walk the hash chain; exit code 1 naming the first record changed, removed or inserted')
    .option('--from <id>', 'first record id to check', recordId)
    .option('--to <id>', 'last record id to check', recordId)
    .option('--from-checkpoint', 'start after the latest validly signed checkpoint (needs AUDIT_CHECKPOINT_KEY)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { from?: string; to?: string; fromCheckpoint?: boolean; json?: boolean }) => {
      const key = deps.config().AUDIT_CHECKPOINT_KEY ?? null;
      const result = await withAdmission(deps, reading('audit verify', false), async (ctx, db) => {
        const verified = await verifyChain(db.dataSource.manager, { from: options.from, to: options.to, fromCheckpoint: options.fromCheckpoint, key });
        ctx.governance.countRows(Category.SYSTEM_LOGS, verified.checked);
        return verified;
      });
      output(options.json, { ...result, signaturesChecked: key !== null }, () => {
        if (result.problem?.kind === 'unlinked') return `audit log INCOMPLETE at record ${result.problem.id} (unlinked): ${result.problem.message}\nthe chain itself verified (${result.checked} record(s))`;
        if (!result.ok) return `audit chain BROKEN at record ${result.problem!.id} (${result.problem!.kind}): ${result.problem!.message}\n${result.checked} record(s) verified before it`;
        const range = result.checked ? `records ${result.firstId}..${result.lastId}` : 'no records';
        const signatures = key ? 'signatures checked' : 'signatures not checked: AUDIT_CHECKPOINT_KEY is not set';
        return `audit chain OK: ${range} (${result.checked} verified), ${result.checkpointsChecked} checkpoint(s), ${signatures}`;
      });
      if (!result.ok) process.exitCode = 1;
    });

  audit
    .command('tail')
    .description('Print the latest audit records (oldest first)')
    .option('-n, --lines <n>', 'how many records (default 20)', count, 20)
    .option('-f, --follow', 'keep printing new records as they are written')
    .option('--json', 'one JSON record per line')
    .action(async (options: { lines: number; follow?: boolean; json?: boolean }) => {
      const print = (record: AuditRecord) => process.stdout.write(`${options.json ? JSON.stringify(exportedRecord(record)) : line(record)}\n`);
      await withAdmission(
        deps,
        reading('audit tail', true),
        async (ctx, db) => {
          const latest = await db.dataSource.getRepository(AuditRecord).find({ order: { id: 'DESC' }, take: options.lines });
          ctx.governance.countRows(Category.SYSTEM_LOGS, latest.length);
          return latest.reverse();
        },
        // Printed once the command's own record is written; --follow goes on printing new ones.
        async (latest, db) => {
          latest.forEach(print);
          if (!options.follow) return;
          let after = latest.length ? String(latest[latest.length - 1].id) : '0';
          let stopped = false;
          process.once('SIGINT', () => (stopped = true));
          while (!stopped) {
            const fresh = await recordsAfter(db.dataSource, after, 500);
            fresh.forEach(print);
            if (fresh.length) after = String(fresh[fresh.length - 1].id);
            else await sleep(1000);
          }
        },
      );
    });

  audit
    .command('export')
    .description('Export audit records with their hashes (so a copy can be verified elsewhere)')
    .requiredOption('--format <format>', 'jsonl (one JSON record per line)')
    .option('--from <id>', 'first record id', recordId)
    .option('--to <id>', 'last record id', recordId)
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (options: { format: string; from?: string; to?: string; output?: string }) => {
      if (options.format !== 'jsonl') throw new InvalidArgumentError(`unknown format "${options.format}": use jsonl`);
      // The command's record is written before the first record is exported.
      await withAdmission(deps, reading('audit export', true), async () => undefined, async (_none, db) => {
        const file = options.output ? createWriteStream(options.output) : null;
        const out: NodeJS.WritableStream = file ?? process.stdout;
        let after = options.from ? (BigInt(options.from) - 1n).toString() : '0';
        let written = 0;
        for (;;) {
          const page = await recordsAfter(db.dataSource, after, 1000, options.to);
          if (page.length === 0) break;
          const chunk = page.map((record) => JSON.stringify(exportedRecord(record))).join('\n') + '\n';
          if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
          written += page.length;
          after = String(page[page.length - 1].id);
        }
        if (file) {
          await new Promise<void>((resolve, reject) => {
            file.once('error', reject);
            file.end(() => resolve());
          });
          process.stderr.write(`exported ${written} record(s) to ${options.output}\n`);
        }
      });
    });

  audit
    .command('checkpoint')
    .description('Sign a checkpoint of the chain head now (HMAC with AUDIT_CHECKPOINT_KEY)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const key = deps.config().AUDIT_CHECKPOINT_KEY;
      if (!key) throw new Error('AUDIT_CHECKPOINT_KEY is not set: checkpoints cannot be signed');
      const head = await withAdmission(deps, { ...reading('audit checkpoint', false), kind: 'mutation' }, (_ctx, db) => checkpointHead(db.dataSource, key, 'manual'));
      output(options.json, { headId: head.id, headHash: head.hash }, () => `checkpoint signed: head record ${head.id}, hash ${head.hash}`);
    });
}
