import { createDataSource } from '../../src/db/data-source';
import { StatementNames, statementNamesOf } from '../../src/db/prepared-statements';
import { primaryStatement, selectRows } from '../../src/db/raw-rows';
import { createTestDatabase, type TestDatabase } from '../support/database';

describe('statement names', () => {
  it('names a text from its second use, always with the same name, and no text after the capacity', () => {
    const names = new StatementNames(2);
    expect(names.nameOf('SELECT 1')).toBeUndefined();
    const first = names.nameOf('SELECT 1');
    expect(first).toEqual(expect.any(String));
    expect(names.nameOf('SELECT 1')).toBe(first);
    names.nameOf('SELECT 2');
    const second = names.nameOf('SELECT 2');
    expect(second).toEqual(expect.any(String));
    expect(second).not.toBe(first);
    names.nameOf('SELECT 3');
    expect(names.nameOf('SELECT 3')).toBeUndefined();
    expect(names.size).toBe(2);
  });

  it('never gives a name to a second text, even once the first is sent as plain text', () => {
    const names = new StatementNames(3);
    names.nameOf('SELECT 1');
    const first = names.nameOf('SELECT 1');
    names.unname('SELECT 1');
    expect(names.nameOf('SELECT 1')).toBeUndefined();
    names.nameOf('SELECT 2');
    expect(names.nameOf('SELECT 2')).not.toBe(first);
  });
});

describe('prepared statements on the database', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.close());

  /** A data source of its own with one connection, so the session asked is the one that ran the statements. */
  async function oneConnection(preparedStatements?: number) {
    const dataSource = createDataSource({ url: db.url, embedded: db.embedded, poolSize: 1, preparedStatements });
    await dataSource.initialize();
    return dataSource;
  }

  async function prepared(dataSource: Awaited<ReturnType<typeof oneConnection>>): Promise<string[]> {
    const rows = await selectRows(dataSource.manager, 'SELECT statement FROM pg_prepared_statements ORDER BY statement', []);
    return rows.map((row) => row.statement as string).filter((text) => !text.includes('pg_prepared_statements'));
  }

  it('prepares a read sent twice once on its connection, and answers as before', async () => {
    const dataSource = await oneConnection();
    try {
      const sql = 'SELECT seller_id, name FROM seller_account WHERE name = $1::text OR $1::text IS NULL ORDER BY seller_id';
      const answers = [];
      for (let i = 0; i < 3; i += 1) answers.push(await selectRows(dataSource.manager, sql, [null]));
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
      if (db.embedded) {
        // One session shared by every connection: never prepared there.
        expect(statementNamesOf(dataSource)).toBeUndefined();
        expect(await prepared(dataSource)).toEqual([]);
      } else {
        expect(await prepared(dataSource)).toEqual([sql]);
      }
    } finally {
      await dataSource.destroy();
    }
  });

  it('prepares nothing with DATABASE_PREPARED_STATEMENTS=0', async () => {
    const dataSource = await oneConnection(0);
    try {
      for (let i = 0; i < 3; i += 1) await primaryStatement(dataSource, 'SELECT count(*) AS n FROM seller_account WHERE seller_id IS NOT NULL OR $1::int = 1', [1]);
      expect(statementNamesOf(dataSource)).toBeUndefined();
      expect(await prepared(dataSource)).toEqual([]);
    } finally {
      await dataSource.destroy();
    }
  });

  it('answers with the new columns when a table changed under a prepared read, and sends that text unprepared from then on', async () => {
    const dataSource = await oneConnection();
    try {
      await dataSource.query('CREATE TABLE prepared_probe (id int PRIMARY KEY)');
      await dataSource.query('INSERT INTO prepared_probe VALUES (1)');
      const sql = 'SELECT * FROM prepared_probe WHERE id >= $1';
      await selectRows(dataSource.manager, sql, [0]);
      expect(await selectRows(dataSource.manager, sql, [0])).toEqual([{ id: 1 }]);
      await dataSource.query(`ALTER TABLE prepared_probe ADD COLUMN label text NOT NULL DEFAULT 'x'`);
      expect(await selectRows(dataSource.manager, sql, [0])).toEqual([{ id: 1, label: 'x' }]);
      expect(await selectRows(dataSource.manager, sql, [0])).toEqual([{ id: 1, label: 'x' }]);
      if (!db.embedded) expect(statementNamesOf(dataSource)?.nameOf(sql)).toBeUndefined();
    } finally {
      await dataSource.query('DROP TABLE IF EXISTS prepared_probe');
      await dataSource.destroy();
    }
  });
});
