// Child process of the gateway benchmark: one category subgraph of the federated variant, on the
// benchmark database. BENCH_SUBGRAPH names it; prints `{"ready": url}` once it listens, stops
// cleanly on SIGTERM, and answers the benchmark's probes (bench-probes.ts) like the gateways.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { createSubgraphServer } from '../src/federation/subgraph-server';
import { isSubgraphName } from '../src/federation/subgraphs';
import { loadGatewayPolicy } from '../src/server/components';
import { federationKeys } from '../src/federation/internal-context';
import { answerProbe, countSqlStatements } from './bench-probes';

countSqlStatements();

async function main(): Promise<void> {
  const settings = loadConfig();
  const name = process.env.BENCH_SUBGRAPH ?? '';
  if (!isSubgraphName(name)) throw new Error(`BENCH_SUBGRAPH must name a subgraph, got "${name}"`);
  if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is required');
  const policy = loadGatewayPolicy(settings);
  // Six subgraphs share the server with the other variants: a smaller pool each.
  const dataSource = createDataSource({ url: settings.DATABASE_URL, poolSize: 5 });
  await dataSource.initialize();
  const server = await createSubgraphServer({ name, dataSource, config: settings, policy, keys: federationKeys(settings) });
  const { app, httpServer } = server;
  httpServer.removeAllListeners('request');
  httpServer.on('request', (req, res) => (answerProbe(req, res) ? undefined : app(req, res)));
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ ready: `http://127.0.0.1:${port}/graphql` })}\n`);

  process.once('SIGTERM', () => {
    void (async () => {
      await server.stop();
      await dataSource.destroy();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`subgraph benchmark server failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
