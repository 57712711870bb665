// Server-side prepared statements for the SQL the gateway sends on every request: the planned
// reads, the audit append, the API call log. PostgreSQL parses, analyses and plans a statement
// sent as plain text each time. A statement sent with a name is parsed once per connection and
// then only bound and executed. PostgreSQL still chooses between a custom and a generic plan
// (`plan_cache_mode`). docs/benchmarks.md ("Prepared statements") has the figures.
//
// Bounded, because a prepared statement lives as long as its connection:
// - a text is named from its second use, so a one-off query is never kept;
// - at most `capacity` texts per data source are named, and later texts are sent as plain text.
//   Each connection then holds at most `capacity` statements.
// Off on the embedded database: there every connection shares one session, so a statement one
// client prepared would collide with another client's. DATABASE_PREPARED_STATEMENTS=0 turns it
// off, e.g. behind a pooler in transaction mode that cannot keep them.
import type { QueryConfig } from 'pg';
import type { DataSource } from 'typeorm';
import { LRUCache } from 'lru-cache';

/** Uses of a text before it is named. */
const NAMED_FROM_USE = 2;

export class StatementNames {
  /** Text -> its name; null once its prepared plan could not be used (sent as plain text since). */
  private readonly names = new Map<string, string | null>();
  /** Uses so far of texts not named yet (bounded: rarely used texts are forgotten). */
  private readonly uses = new LRUCache<string, number>({ max: 1000 });

  constructor(readonly capacity: number) {}

  /** The name to send `text` under, or undefined to send it as plain text. */
  nameOf(text: string): string | undefined {
    const known = this.names.get(text);
    if (known !== undefined) return known ?? undefined;
    if (this.names.size >= this.capacity) return undefined;
    const uses = (this.uses.get(text) ?? 0) + 1;
    if (uses < NAMED_FROM_USE) {
      this.uses.set(text, uses);
      return undefined;
    }
    this.uses.delete(text);
    // Entries are never removed, so a name is never given to a second text.
    const name = `sellergate_${this.names.size + 1}`;
    this.names.set(text, name);
    return name;
  }

  /** Sends `text` as plain text from now on. */
  unname(text: string): void {
    if (this.names.get(text)) this.names.set(text, null);
  }

  /** Texts named so far (those later sent as plain text included). */
  get size(): number {
    return this.names.size;
  }
}

const byDataSource = new WeakMap<DataSource, StatementNames>();

/** Names the hot statements `dataSource` sends through `preparedQuery`, up to `capacity` texts. */
export function prepareStatements(dataSource: DataSource, capacity: number): void {
  if (capacity > 0) byDataSource.set(dataSource, new StatementNames(capacity));
}

/** The statement names of `dataSource`, if it prepares statements. */
export function statementNamesOf(dataSource: DataSource): StatementNames | undefined {
  return byDataSource.get(dataSource);
}

interface Queryable {
  query(config: QueryConfig | string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * A prepared plan whose result columns changed under it (a migration altered a table it reads)
 * is refused by PostgreSQL before it runs, on every later use on that connection.
 */
function planResultChanged(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type');
}

/**
 * Runs one statement on `pool`, named when `dataSource` prepares statements and the text is hot.
 * When its prepared plan was refused (see planResultChanged), the statement had not run, so it is
 * sent again as plain text, and the text is sent that way from then on.
 */
export async function preparedQuery(dataSource: DataSource, pool: Queryable, text: string, values: unknown[]): Promise<unknown[]> {
  const names = byDataSource.get(dataSource);
  const name = names?.nameOf(text);
  if (!name) return (await pool.query(text, values)).rows;
  try {
    return (await pool.query({ name, text, values })).rows;
  } catch (error) {
    if (!planResultChanged(error)) throw error;
    names!.unname(text);
    return (await pool.query(text, values)).rows;
  }
}
