#!/usr/bin/env node
// `npx sellergate <command>`: one program, each feature registering its own commands.
import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ALL_CATEGORIES } from '../policy/taxonomy';
import { registerFederationCommands } from '../federation/compose.command';
import { registerAccountCommands } from './account.command';
import { registerAuditCommands } from './audit.command';
import { cliDeps, setGlobalOptions, withAdmission, withDatabase } from './cli-deps';
import { registerCredentialCommands } from './credentials.command';
import { registerExportCommands } from './export.command';
import { registerImportCommands } from './import.command';
import { registerPolicyCommands } from './policy.command';
import { registerRetentionCommands } from './retention.command';
import { registerSecurityCommands } from './security.command';
import { registerSyncCommands } from './sync.command';
import { registerTokenCommands } from './token.command';

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new InvalidArgumentError('a port number 0-65535');
  return parsed;
}

/** The installed sellergate's version, from its package.json (found upwards from this file: dist/ or the sources). */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sellergate' && pkg.version) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command('sellergate')
    .description('Governed GraphQL gateway over your Amazon seller-operations data')
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true })
    .option('--token-file <file>', 'act as the API token in this file (default: SELLERGATE_TOKEN; without either, as the local operator)')
    .option('--purpose <purpose>', 'purpose of use for commands that read data (default: SELLERGATE_PURPOSE, or the command\'s own for the operator)')
    .hook('preAction', (_program, command) => {
      const options = command.optsWithGlobals() as { tokenFile?: string; purpose?: string };
      setGlobalOptions({ tokenFile: options.tokenFile, purpose: options.purpose });
    });

  program
    .command('serve')
    .description('Run the gateway (embedded PostgreSQL with demo data unless DATABASE_URL is set)')
    .option('--port <port>', 'port to listen on (default: PORT or 4000)', port)
    .option('--host <host>', 'address to bind (default: HOST or 0.0.0.0)')
    .option('--demo', 'load the demo data set into an empty DATABASE_URL database')
    .option('--subgraph <name>', 'serve one category as a Federation 2 subgraph (catalog, advertising, orders, inventory-finance, system-logs, governance)')
    .option('--gateway', 'serve the gateway over subgraphs (--subgraphs or --supergraph)')
    .option('--subgraphs <list>', 'with --gateway: name=url,... of every subgraph')
    .option('--supergraph <file>', 'with --gateway: a supergraph SDL file (sellergate compose)')
    .option('--engine <engine>', 'with --gateway: what plans and executes over the subgraphs: hive (Hive Gateway\'s runtime) or apollo (@apollo/gateway) (default: FEDERATION_ENGINE, else hive)')
    .action(async (options: { port?: number; host?: string; demo?: boolean; subgraph?: string; gateway?: boolean; subgraphs?: string; supergraph?: string; engine?: string }) => {
      // The server, the schema and the demo data are loaded by the commands that use them, so
      // that every other command starts in well under a second.
      const { serve } = require('./serve') as typeof import('./serve');
      await serve(options);
    });

  program
    .command('migrate')
    .description('Apply pending database migrations')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      await withDatabase(cliDeps, async (db) => {
        const result = { applied: db.applied };
        process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : db.applied.length ? `applied: ${db.applied.join(', ')}\n` : 'database is up to date\n');
      });
    });

  program
    .command('seed-demo')
    .description('Load the deterministic demo data set into an empty database')
    .action(async () => {
      const { seedDemo } = require('../db/demo/seed-demo') as typeof import('../db/demo/seed-demo');
      const seeded = await withAdmission(cliDeps, { name: 'seed-demo', kind: 'mutation', categories: ALL_CATEGORIES }, (_ctx, db) =>
        seedDemo(db.dataSource, (message) => process.stderr.write(`${message}\n`), { trustedLoad: db.embedded }),
      );
      process.stdout.write(seeded ? 'demo data loaded\n' : 'database already holds data: nothing loaded\n');
    });

  const schema = program.command('schema').description('The GraphQL schema users see');
  schema
    .command('emit')
    .description('Print the SDL, or write it to a file (the committed copy is schema/schema.graphql)')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (options: { output?: string }) => {
      const { printGatewaySchema } = require('../server/emit-schema') as typeof import('../server/emit-schema');
      const { buildGatewaySchema } = require('../server/schema') as typeof import('../server/schema');
      const sdl = printGatewaySchema(await buildGatewaySchema());
      if (options.output) writeFileSync(options.output, sdl);
      else process.stdout.write(sdl);
    });

  registerTokenCommands(program, cliDeps);
  registerPolicyCommands(program, cliDeps);
  registerAuditCommands(program, cliDeps);
  registerAccountCommands(program, cliDeps);
  registerImportCommands(program, cliDeps);
  registerRetentionCommands(program, cliDeps);
  registerSecurityCommands(program, cliDeps);
  registerCredentialCommands(program, cliDeps);
  registerExportCommands(program, cliDeps);
  registerSyncCommands(program, cliDeps);
  registerFederationCommands(program);
  return program;
}

/** Parses `argv` and runs the command; a failure prints one line and exits with 1. */
export function run(argv: string[]): void {
  buildProgram()
    .parseAsync(argv)
    .catch((error: unknown) => {
      process.stderr.write(`sellergate: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    });
}

if (require.main === module) run(process.argv);
