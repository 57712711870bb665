// The `account` and `import` commands, run through commander against the test database.
import { Command } from 'commander';
import { registerAccountCommands } from '../../src/cli/account.command';
import type { CliDeps } from '../../src/cli/cli-deps';
import { registerImportCommands } from '../../src/cli/import.command';
import { config } from '../../src/config';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { sample } from './helpers';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.close());

async function run(...args: string[]): Promise<{ out: string; exitCode: number | undefined }> {
  const deps: CliDeps = { config, openDatabase: async () => ({ dataSource: db.dataSource, embedded: db.embedded, applied: [], close: async () => undefined }), identity: () => ({}) };
  const program = new Command('sellergate').exitOverride();
  registerAccountCommands(program, deps);
  registerImportCommands(program, deps);
  let out = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'sellergate', ...args]);
  } finally {
    write.mockRestore();
  }
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : undefined;
  process.exitCode = undefined;
  return { out, exitCode };
}

test('account add and list', async () => {
  const added = await run('account', 'add', 'A2CLISELLER001', '--marketplaces', 'ATVPDKIKX0DER,A1F83G8C2ARO7P', '--name', 'CLI seller', '--json');
  expect(JSON.parse(added.out)).toMatchObject({ sellerId: 'A2CLISELLER001', name: 'CLI seller', authorized: true, marketplaces: ['A1F83G8C2ARO7P', 'ATVPDKIKX0DER'] });
  const listed = await run('account', 'list', '--json');
  expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ sellerId: 'A2CLISELLER001' })]);
  expect((await run('account', 'list')).out).toMatch(/A2CLISELLER001\tauthorized\tA1F83G8C2ARO7P,ATVPDKIKX0DER\tCLI seller/);
  const [marketplace] = await db.dataSource.query("SELECT country_code, currency_code, sales_channel FROM marketplace WHERE marketplace_id = 'A1F83G8C2ARO7P'");
  expect(marketplace).toEqual({ country_code: 'GB', currency_code: 'GBP', sales_channel: 'Amazon.co.uk' });
  await expect(run('account', 'add', 'A2CLISELLER001', '--marketplaces', 'XX123')).rejects.toThrow(/Unknown marketplace id XX123/);
});

test('import says which type it detected and summarizes; a refusal exits 1', async () => {
  const ok = await run('import', sample('GET_FLAT_FILE_OPEN_LISTINGS_DATA/mws-rs_report.tdff.tsv'), '--account', 'A2CLISELLER001', '--marketplace', 'ATVPDKIKX0DER');
  expect(ok.exitCode).toBeUndefined();
  expect(ok.out).toMatch(/^Imported mws-rs_report\.tdff\.tsv: GET_FLAT_FILE_OPEN_LISTINGS_DATA \(detected from header\)/);
  expect(ok.out).toMatch(/rows read 243, rejected 0; database rows inserted 243/);
  const json = await run('import', sample('GET_FLAT_FILE_OPEN_LISTINGS_DATA/mws-rs_report.tdff.tsv'), '--account', 'A2CLISELLER001', '--marketplace', 'ATVPDKIKX0DER', '--json');
  expect(JSON.parse(json.out)).toMatchObject({ status: 'SUCCEEDED', rowsUnchanged: 243, rowsInserted: 0, importedBy: expect.stringMatching(/^cli:/) });
  const refused = await run('import', sample('GET_FLAT_FILE_OPEN_LISTINGS_DATA/mws-rs_report.tdff.tsv'), '--account', 'A2NOTREGISTERED', '--marketplace', 'ATVPDKIKX0DER');
  expect(refused.exitCode).toBe(1);
  expect(refused.out).toMatch(/Refused .*ACCOUNT_NOT_AUTHORIZED: Seller account A2NOTREGISTERED is not registered/s);
});
