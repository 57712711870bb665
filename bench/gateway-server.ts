// Child process of the gateway benchmark: one gateway variant on the benchmark database.
// BENCH_GOVERNANCE / BENCH_AUDIT / BENCH_KNOWN_OPERATIONS (`0` or `1`) select the variant, BENCH_FEDERATED=1 the federated
// gateway over the subgraphs of FEDERATION_SUBGRAPHS (`name=url,...`); prints `{"ready": url}` on
// stdout once it listens and stops cleanly on SIGTERM (so `--cpu-prof` profiles are written).
// It also answers the benchmark's probes (bench-probes.ts: SQL statements sent, CPU time).
import 'reflect-metadata';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/db/data-source';
import { federatedGatewayComponents } from '../src/federation/serve-federated';
import { createComponents, loadGatewayPolicy } from '../src/server/components';
import { startGateway } from '../src/server/gateway';
import { answerProbe, countSqlStatements } from './bench-probes';

// Before the data source loads pg's pool: every statement is counted (GET /__bench/sql).
countSqlStatements();

async function main(): Promise<void> {
  const settings = loadConfig();
  if (!settings.DATABASE_URL) throw new Error('DATABASE_URL is required');
  const policy = loadGatewayPolicy(settings);
  const dataSource = createDataSource({ url: settings.DATABASE_URL, preparedStatements: settings.DATABASE_PREPARED_STATEMENTS });
  await dataSource.initialize();
  const components =
    process.env.BENCH_FEDERATED === '1'
      ? await federatedGatewayComponents({ gateway: true }, { dataSource, config: settings, policy })
      : await createComponents({
          dataSource,
          config: settings,
          policy,
          governance: process.env.BENCH_GOVERNANCE !== '0',
          audit: process.env.BENCH_AUDIT !== '0',
          knownOperations: process.env.BENCH_KNOWN_OPERATIONS !== '0',
        });
  const probes = { audit: () => components.auditWriter?.stats() ?? null };
  components.middleware = [(req, res, next) => (answerProbe(req, res, probes) ? undefined : next()), ...(components.middleware ?? [])];
  const gateway = await startGateway({ dataSource, config: settings, policy, components, port: 0, host: '127.0.0.1' });
  process.stdout.write(`${JSON.stringify({ ready: `${gateway.url}/graphql` })}\n`);

  process.once('SIGTERM', () => {
    void (async () => {
      await gateway.stop();
      await dataSource.destroy();
      process.exit(0);
    })();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway benchmark server failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
