// The gateway's subgraph fetches and idle keep-alive connections, against a stand-in subgraph
// that makes the race deterministic: it announces `Keep-Alive: timeout=5` (so a client keeps the
// connection for reuse) but drops any request that arrives on a connection idle for more than a
// second, as a subgraph closing an idle connection just as the gateway reuses it does. The
// gateway must answer the query anyway (sent again on a new connection; the subgraph never read
// it) and must never send a mutation twice. Both engines: @apollo/gateway's data source and Hive
// Gateway's runtime (whose subgraph fetches go through the same fetcher).
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { composeServices } from '@theguild/federation-composition';
import { getOperationAST, parse } from 'graphql';
import { GovernedDataSource, subgraphFetcher } from '../../src/federation/federated-gateway';
import { HiveGateway } from '../../src/federation/hive-engine';
import { federationKeys } from '../../src/federation/internal-context';

jest.setTimeout(60_000);

const IDLE_LIMIT_MS = 1_000;

describe('subgraph fetches over idle keep-alive connections', () => {
  let server: Server;
  let url: string;
  const connections = new Set<Socket>();
  const received: { body: string; dropped: boolean }[] = [];

  beforeAll(async () => {
    const lastAnswer = new WeakMap<Socket, number>();
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      const idleSince = lastAnswer.get(req.socket);
      if (idleSince !== undefined && Date.now() - idleSince > IDLE_LIMIT_MS) {
        received.push({ body: '', dropped: true });
        req.socket.destroy();
        return;
      }
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({ body: Buffer.concat(chunks).toString('utf8'), dropped: false });
        res.setHeader('content-type', 'application/json');
        res.setHeader('keep-alive', 'timeout=5');
        res.end(JSON.stringify({ data: { ok: true } }), () => lastAnswer.set(req.socket, Date.now()));
      });
    });
    // The stand-in never closes idle connections itself: only the drop above ends them.
    server.keepAliveTimeout = 0;
    server.on('connection', (socket) => {
      connections.add(socket);
      socket.on('close', () => connections.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    for (const socket of connections) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  const source = () => new GovernedDataSource('orders', url, federationKeys({ NODE_ENV: 'test' }).signingKey!, 10, () => 'v1', () => new Date());
  const send = (dataSource: GovernedDataSource, query: string) => dataSource.process({ kind: 'loading schema' as never, request: { query }, context: {} });
  const idle = () => new Promise((resolve) => setTimeout(resolve, IDLE_LIMIT_MS + 300));

  it('answers a query sent on a connection the subgraph drops as it is reused', async () => {
    const dataSource = source();
    received.length = 0;
    expect((await send(dataSource, '{ ok }')).data).toEqual({ ok: true });
    for (let round = 0; round < 2; round += 1) {
      await idle();
      expect((await send(dataSource, '{ ok }')).data).toEqual({ ok: true });
    }
    // The connection was reused and dropped, and each dropped query was sent again and answered.
    expect(received.filter((request) => request.dropped).length).toBeGreaterThan(0);
    expect(received.filter((request) => !request.dropped)).toHaveLength(3);
  });

  it('never sends a mutation twice', async () => {
    const dataSource = source();
    expect((await send(dataSource, '{ ok }')).data).toEqual({ ok: true });
    await idle();
    received.length = 0;
    const outcome = await send(dataSource, 'mutation { ok }').then(
      (response) => ({ answered: response.data }),
      (error: unknown) => ({ failed: String(error) }),
    );
    // Either it went out on a fresh connection and was answered, or it was dropped and not resent.
    expect(received).toHaveLength(1);
    expect(outcome).toEqual(received[0].dropped ? { failed: expect.stringMatching(/socket|closed|fetch failed/i) } : { answered: { ok: true } });
  });

  describe('through the Hive Gateway engine', () => {
    let hive: HiveGateway;
    let run: (query: string) => Promise<unknown>;

    beforeAll(async () => {
      const typeDefs = parse('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"]) type Query { ok: Boolean } type Mutation { ok: Boolean }');
      const composed = composeServices([{ name: 'orders', url, typeDefs }]);
      if (!composed.supergraphSdl) throw new Error(String(composed.errors));
      hive = new HiveGateway({
        supergraph: composed.supergraphSdl,
        mint: async () => ({}),
        merge: () => undefined,
        fetch: (target, init) => subgraphFetcher(target, init as never) as unknown as Promise<Response>,
      });
      let schema: import('graphql').GraphQLSchema | undefined;
      hive.onSchemaLoadOrUpdate(({ apiSchema }) => (schema = apiSchema));
      const { executor } = await hive.load();
      run = async (query) => {
        const document = parse(query);
        const result = await executor!({
          source: query,
          document,
          operation: getOperationAST(document)!,
          schema: schema!,
          request: {},
          context: { requestId: 'keep-alive' },
        } as never);
        return result.errors ? { errors: result.errors.map((error) => error.message) } : result.data;
      };
    });
    afterAll(() => hive?.stop());

    it('answers a query sent on a connection the subgraph drops as it is reused', async () => {
      received.length = 0;
      expect(await run('{ ok }')).toEqual({ ok: true });
      for (let round = 0; round < 2; round += 1) {
        await idle();
        expect(await run('{ ok }')).toEqual({ ok: true });
      }
      expect(received.filter((request) => request.dropped).length).toBeGreaterThan(0);
      expect(received.filter((request) => !request.dropped)).toHaveLength(3);
    });

    it('never sends a mutation twice', async () => {
      expect(await run('{ ok }')).toEqual({ ok: true });
      await idle();
      received.length = 0;
      const outcome = await run('mutation { ok }');
      expect(received).toHaveLength(1);
      // Either it went out on a fresh connection and was answered, or it was dropped, not resent, and failed.
      expect(outcome).toEqual(received[0].dropped ? { errors: [expect.any(String)] } : { ok: true });
    });

    it('answers an unreachable subgraph as an internal error naming neither its address nor the request sent to it', async () => {
      const typeDefs = parse('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"]) type Query { ok: Boolean }');
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/graphql`;
      await new Promise((resolve) => closed.close(resolve));
      const down = new HiveGateway({
        supergraph: composeServices([{ name: 'orders', url: deadUrl, typeDefs }]).supergraphSdl!,
        mint: async () => ({}),
        merge: () => undefined,
        fetch: (target, init) => subgraphFetcher(target, init as never) as unknown as Promise<Response>,
      });
      let schema: import('graphql').GraphQLSchema | undefined;
      down.onSchemaLoadOrUpdate(({ apiSchema }) => (schema = apiSchema));
      try {
        const { executor } = await down.load();
        const source = 'query Secret($v: Boolean!) { ok @include(if: $v) }';
        const document = parse(source);
        const result = await executor!({ source, document, operation: getOperationAST(document)!, schema: schema!, request: { variables: { v: true } }, context: { requestId: 'down' } } as never);
        expect(result.errors?.map((error) => ({ message: error.message, path: error.path, extensions: error.extensions }))).toEqual([
          { message: 'Internal server error', path: ['ok'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        ]);
      } finally {
        await down.stop();
      }
    });
  });
});
