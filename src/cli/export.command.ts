// `sellergate export list|purge`: the restricted exports held by the gateway (metadata only: the
// files are served to their makers over HTTP, never printed here) and removal of expired ones.
import type { Command } from 'commander';
import { MoreThan } from 'typeorm';
import { DataExport } from '../../entities/gateway/data-export.entity';
import { recordUserAction } from '../audit/system-logs';
import { deleteExpiredExports } from '../exports/export.service';
import { Permission } from '../policy/taxonomy';
import { output, withAdmission, type CliDeps } from './cli-deps';

function describe(row: DataExport) {
  return {
    id: row.id,
    principal: `${row.principalKind}:${row.principalId}`,
    role: row.principalRole,
    purpose: row.purpose,
    format: row.format,
    operationName: row.operationName,
    rowCount: row.rowCount,
    byteSize: row.byteSize,
    sha256: row.sha256.trim(),
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    downloads: row.downloads,
    requestId: row.requestId,
  };
}

export function registerExportCommands(program: Command, deps: CliDeps): void {
  const exports = program.command('export').description('Restricted exports held for download (metadata only)');

  exports
    .command('list')
    .description('Exports that can still be downloaded, newest first (with --all, expired ones not yet deleted too)')
    .option('--all', 'include expired exports not yet deleted')
    .option('--json', 'print the exports as JSON')
    .action(async (options: { all?: boolean; json?: boolean }) => {
      const spec = { name: 'export list', kind: 'query', permission: { permission: Permission.EXPORT_DATA, what: 'list exports' } } as const;
      const rows = await withAdmission(deps, spec, (ctx, db) => {
        const principal = ctx.principal!;
        // The operator sees every export; a principal its own (as `myExports`).
        const own = principal.kind === 'operator' ? {} : { principalId: principal.id, principalKind: principal.kind };
        return db.dataSource.manager.find(DataExport, { where: { ...own, ...(options.all ? {} : { expiresAt: MoreThan(new Date()) }) }, order: { createdAt: 'DESC' } });
      });
      const listed = rows.map(describe);
      output(options.json, listed, () =>
        listed.length === 0
          ? 'no exports'
          : listed
              .map((e) => `${e.id}\t${e.principal}\t${e.role}\t${e.purpose ?? '-'}\t${e.format}\t${e.rowCount} rows\t${e.byteSize} bytes\texpires ${e.expiresAt}\tdownloads ${e.downloads}`)
              .join('\n'),
      );
    });

  exports
    .command('purge')
    .description('Delete expired exports now (each gateway also does so every EXPORT_SWEEP_SECONDS)')
    .option('--json', 'print the count as JSON')
    .action(async (options: { json?: boolean }) => {
      const spec = { name: 'export purge', kind: 'mutation', permission: { permission: Permission.MANAGE_RETENTION, what: 'delete expired exports' } } as const;
      const deleted = await withAdmission(deps, spec, (ctx, db) =>
        db.dataSource.transaction(async (manager) => {
          const count = await deleteExpiredExports(manager, new Date());
          await recordUserAction(manager, { actor: ctx.principal!.id, action: 'export.purge', target: String(count), requestId: ctx.requestId });
          return count;
        }),
      );
      output(options.json, { deleted }, () => `${deleted} expired export(s) deleted`);
    });
}
