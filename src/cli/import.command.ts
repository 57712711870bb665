// `sellergate import <file>`: imports one report or API response for a registered account, with
// a progress bar on a terminal and a summary (or `--json`) at the end. Exit code 1 when refused.
import { statSync } from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { importFile, type ImportSummary } from '../ingest/import-file';
import { ALL_DEFINITIONS } from '../ingest/report-types';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../errors';
import { importOutOfScope, rowsWrittenByCategory } from '../ingest/import-categories';
import { Permission, type Category } from '../policy/taxonomy';
import { withAdmission, type CliDeps } from './cli-deps';

function nonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number, 0 or more');
  return n;
}

/** The summary as a person reads it (names and counts only, never values). */
export function formatSummary(s: ImportSummary): string {
  const lines: string[] = [];
  const type = s.reportType ? `${s.reportType}${s.typeChosenBy && s.typeChosenBy !== 'given' ? ` (${s.typeChosenBy})` : ''}` : 'not recognized';
  lines.push(`${s.status === 'SUCCEEDED' ? 'Imported' : 'Refused'} ${s.fileName}: ${type}`);
  if (s.alternativeTypes.length) lines.push(`  same columns as: ${s.alternativeTypes.join(', ')} (use --type to record that one)`);
  lines.push(`  account ${s.account}, marketplace ${s.marketplace ?? '-'}, encoding ${s.encoding ?? '-'}, sha256 ${s.sha256 || '-'}`);
  lines.push(`  rows read ${s.rowsRead}, rejected ${s.rowsRejected}; database rows inserted ${s.rowsInserted}, updated ${s.rowsUpdated}, unchanged ${s.rowsUnchanged}`);
  for (const [table, c] of Object.entries(s.tables)) lines.push(`    ${table}: +${c.inserted} ~${c.updated} =${c.unchanged}`);
  if (s.droppedColumns.length) lines.push(`  personal columns dropped (never stored): ${s.droppedColumns.join(', ')}`);
  if (s.ignoredColumns.length) lines.push(`  columns ignored: ${s.ignoredColumns.join(', ')}`);
  for (const [kind, n] of Object.entries(s.skipped)) lines.push(`  skipped: ${n} ${kind}`);
  for (const r of s.rejectedLines.slice(0, 20)) lines.push(`  line ${r.line}: ${r.reason}`);
  if (s.rejectedLines.length > 20) lines.push(`  ... ${s.rowsRejected - 20} more rejected line(s) in import run ${s.importRunId}`);
  if (s.error) lines.push(`  ${s.error.code}: ${s.error.message}`);
  if (s.importRunId) lines.push(`  import run ${s.importRunId}`);
  return lines.join('\n');
}

export function registerImportCommands(program: Command, deps: CliDeps): void {
  program
    .command('import')
    .description('Import a Seller Central report, Amazon Ads export or SP-API / Ads API response for a registered seller account')
    .argument('<file>', 'the file (TAB-delimited report, Ads console CSV, JSON or JSON Lines; gzip accepted)')
    .option('--type <REPORT_TYPE>', `report type (recognized from the header or shape when omitted); one of: ${ALL_DEFINITIONS.map((d) => d.type).join(', ')}`)
    .requiredOption('--account <sellerId>', 'seller account the data belongs to (must be registered: `account add`)')
    .option('--marketplace <id>', 'marketplace id, e.g. ATVPDKIKX0DER (taken from the file when it names one)')
    .option('--encoding <name>', 'utf-8, cp1252 or cp932/shift_jis (detected when omitted)')
    .option('--max-errors <n>', 'skip and list up to N bad rows; above N nothing is written', nonNegative, 0)
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, options: { type?: string; account: string; marketplace?: string; encoding?: string; maxErrors: number; json?: boolean }) => {
      const size = (() => {
        try {
          return statSync(file).size;
        } catch {
          throw new Error(`cannot read ${file}`);
        }
      })();
      const bar = process.stderr.isTTY && !options.json ? new SingleBar({ format: 'importing [{bar}] {percentage}% | {rows} rows', hideCursor: true }, Presets.shades_classic) : undefined;
      bar?.start(size, 0, { rows: 0 });
      const spec = { name: 'import', kind: 'mutation', permission: { permission: Permission.IMPORT_DATA, what: 'import data' } } as const;
      const summary = await withAdmission(deps, spec, async (ctx, db) => {
        if (importOutOfScope(ctx.scope, options.account, options.marketplace)) {
          throw new GraphQLError("The account or marketplace is outside this principal's scope", { extensions: { code: ErrorCode.FORBIDDEN } });
        }
        const result = await importFile(db.dataSource, {
          path: file,
          type: options.type,
          account: options.account,
          marketplace: options.marketplace,
          encoding: options.encoding,
          maxErrors: options.maxErrors,
          importedBy: ctx.principal!.id,
          scope: ctx.scope,
          onProgress: (p) => bar?.update(Math.min(p.bytesRead, size), { rows: p.rowsRead }),
        });
        for (const [category, rows] of Object.entries(rowsWrittenByCategory(db.dataSource, result))) ctx.governance.countRows(category as Category, rows ?? 0);
        return result;
      }).finally(() => bar?.stop());
      process.stdout.write(options.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatSummary(summary)}\n`);
      if (summary.status !== 'SUCCEEDED') process.exitCode = 1;
    });
}
