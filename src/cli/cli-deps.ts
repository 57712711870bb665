// What every CLI command gets: configuration, a way to open the database, and the admission of
// commands that read or change data (src/admission/cli-admission.ts).
import { cliIdentity, runAdmittedCommand, type CliCommandSpec, type CliIdentity } from '../admission/cli-admission';
import { config, type Config } from '../config';
import type { RequestContext } from '../context';
import { openDatabase, type OpenDatabase } from '../db/open-database';
import { fieldRegistry } from '../policy/field-registry';
import { policyInForce } from '../policy/policy-store';

export interface CliDeps {
  config(): Config;
  /** Opens (and by default migrates) the configured database; close it when done. */
  openDatabase(options?: { migrate?: boolean }): Promise<OpenDatabase>;
  /** Who runs this command line (SELLERGATE_TOKEN or `--token-file`; else the local operator) and its declared purpose. */
  identity(): CliIdentity;
}

let globalOptions: { tokenFile?: string; purpose?: string } = {};

/** Set from the program's global options (`--token-file`, `--purpose`) before a command runs. */
export function setGlobalOptions(options: { tokenFile?: string; purpose?: string }): void {
  globalOptions = options;
}

export const cliDeps: CliDeps = {
  config,
  openDatabase: (options) => openDatabase(config(), options),
  identity: () => cliIdentity(globalOptions),
};

/** Runs a command body with an open database, closing it whatever happens. */
export async function withDatabase<T>(deps: CliDeps, body: (db: OpenDatabase) => Promise<T>, options?: { migrate?: boolean }): Promise<T> {
  const db = await deps.openDatabase(options);
  try {
    return await body(db);
  } finally {
    await db.close();
  }
}

/**
 * Runs a command that reads or changes data as an admitted request: the principal (a token, or
 * the local operator), its suspension, rate limit, purpose and permission are checked, the body
 * gets the request context (row scope included), and the command leaves one audit record before
 * its result is returned for printing. Rows it reads are counted with `ctx.governance.countRows`.
 * A command that streams (audit tail --follow, audit export) prints in `stream`, which runs after
 * the record is written and before the database is closed.
 */
export async function withAdmission<T>(
  deps: CliDeps,
  spec: CliCommandSpec,
  body: (ctx: RequestContext, db: OpenDatabase) => Promise<T>,
  stream?: (result: T, db: OpenDatabase) => Promise<void>,
): Promise<T> {
  return withDatabase(deps, async (db) => {
    const { policy } = await policyInForce(db.dataSource.manager, deps.config());
    return runAdmittedCommand(
      {
        dataSource: db.dataSource,
        config: deps.config(),
        policy,
        fieldRegistry: async () => {
          // Loaded only when a token principal's output must be decided: most commands never build the schema.
          const { buildGatewaySchema } = require('../server/schema') as typeof import('../server/schema');
          return fieldRegistry(await buildGatewaySchema());
        },
      },
      spec,
      deps.identity(),
      async (ctx) => ({ result: await body(ctx, db) }),
    ).then(async (result) => {
      await stream?.(result, db);
      return result;
    });
  });
}

/** Prints data as JSON (`--json`) or as text. */
export function output(json: boolean | undefined, data: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}
