// What every CLI command gets: configuration and a way to open the database.
import { config, type Config } from '../config';
import { openDatabase, type OpenDatabase } from '../db/open-database';

export interface CliDeps {
  config(): Config;
  /** Opens (and by default migrates) the configured database; close it when done. */
  openDatabase(options?: { migrate?: boolean }): Promise<OpenDatabase>;
}

export const cliDeps: CliDeps = {
  config,
  openDatabase: (options) => openDatabase(config(), options),
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

/** Prints data as JSON (`--json`) or as text. */
export function output(json: boolean | undefined, data: unknown, text: () => string): void {
  process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text()}\n`);
}
