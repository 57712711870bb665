// Runs CLI commands in-process against a test database, capturing what they print.
import { Command } from 'commander';
import type { CliIdentity } from '../../src/admission/cli-admission';
import type { CliDeps } from '../../src/cli/cli-deps';
import { loadConfig } from '../../src/config';
import type { TestDatabase } from './database';

export type RegisterCommands = (program: Command, deps: CliDeps) => void;

/**
 * CLI dependencies that open the test database (never closing it) with `env` over the test
 * configuration; commands run as the local operator unless `identity` names a token.
 */
export function testCliDeps(db: TestDatabase, env: Record<string, string> = {}, identity: CliIdentity = {}): CliDeps {
  const settings = loadConfig({ ...process.env, NODE_ENV: 'test', ...env });
  return {
    config: () => settings,
    openDatabase: async () => ({ dataSource: db.dataSource, embedded: db.embedded, applied: [], close: async () => {} }),
    identity: () => identity,
  };
}

/**
 * Parses `sellergate <args>` with the given command groups registered; returns standard output.
 * What the command writes to standard error (usage errors, which are also in the error thrown;
 * progress; warnings) is kept out of the test output, unless the test spies on
 * `process.stderr.write` itself: then it goes to that spy.
 */
export async function runCli(deps: CliDeps, register: RegisterCommands[], args: string[]): Promise<string> {
  // Commander's own messages (unknown option, missing argument) are in the error it throws.
  const program = new Command('sellergate').exitOverride().configureOutput({ writeErr: () => {} });
  for (const add of register) add(program, deps);
  let printed = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  });
  const ownSpy = jest.isMockFunction(process.stderr.write);
  const stderr = ownSpy
    ? undefined
    : jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(['node', 'sellergate', ...args]);
  } finally {
    spy.mockRestore();
    stderr?.mockRestore();
  }
  return printed;
}
