// The embedded PostgreSQL serves the gateway and, through it, the command line: connections share
// PGlite's one session, so one connection's extended-protocol query must not be cut by another's.
import { connect, type Socket } from 'node:net';
import { serialize } from 'pg-protocol';

const url = (process.env.SELLERGATE_TEST_DB_URLS ?? '').split(' ').filter(Boolean)[Number(process.env.JEST_WORKER_ID ?? '1') - 1];

/** A raw protocol connection that collects the server's message types. */
async function open(): Promise<{ socket: Socket; types: () => string[]; waitFor(type: string, count?: number): Promise<void> }> {
  const { hostname, port } = new URL(url!);
  const socket = connect(Number(port), hostname);
  socket.on('error', () => {});
  let buffer = Buffer.alloc(0);
  const types: string[] = [];
  let waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 5 && buffer.length >= 1 + buffer.readInt32BE(1)) {
      types.push(String.fromCharCode(buffer[0]));
      buffer = buffer.subarray(1 + buffer.readInt32BE(1));
    }
    for (const wake of waiters) wake();
  });
  const waitFor = (type: string, count = 1) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} within 30 s: ${types.join('')}`)), 30_000);
      const check = () => {
        if (types.filter((seen) => seen === type).length >= count) {
          clearTimeout(timer);
          waiters = waiters.filter((wake) => wake !== check);
          resolve();
        }
      };
      waiters.push(check);
      check();
    });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(serialize.startup({ user: 'postgres', database: 'postgres' }));
  await waitFor('Z');
  return { socket, types: () => types, waitFor };
}

(url && !process.env.DATABASE_URL ? describe : describe.skip)('embedded PostgreSQL shared by several connections', () => {
  it("keeps another connection's query out of an extended-protocol query until its Sync", async () => {
    const a = await open();
    const b = await open();
    try {
      // A: Parse (the unnamed statement) and Flush, the rest of its query not yet sent.
      a.socket.write(Buffer.concat([serialize.parse({ text: 'SELECT 1 AS a' }), serialize.flush()]));
      await a.waitFor('1');
      // B: a simple query, which would replace the session's unnamed statement.
      b.socket.write(serialize.query('SELECT 2 AS b'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // A: Bind, Execute, Sync of the statement it parsed.
      a.socket.write(Buffer.concat([serialize.bind({}), serialize.execute({}), serialize.sync()]));
      await a.waitFor('Z', 2);
      await b.waitFor('Z', 2);
      expect(a.types().slice(1)).not.toContain('E');
      expect(a.types()).toContain('D');
      expect(b.types()).not.toContain('E');
    } finally {
      a.socket.end(serialize.end());
      b.socket.end(serialize.end());
    }
  });
});
