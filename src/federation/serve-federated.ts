// `serve --subgraph <name>` and the gateway half of `serve --gateway` (see src/cli/serve.ts).
import { readFileSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { config, type Config } from '../config';
import { openDatabase } from '../db/open-database';
import type { Policy } from '../policy/policy';
import { loadGatewayPolicy } from '../server/components';
import type { GatewayComponents } from '../server/gateway';
import { logger } from '../logger';
import { parseSubgraphList } from './compose';
import { createFederatedComponents, FEDERATION_ENGINES, type FederationEngine } from './federated-gateway';
import { federationKeys } from './internal-context';
import { startSubgraphServer } from './subgraph-server';
import { isSubgraphName, SUBGRAPH_NAMES } from './subgraphs';

export interface FederatedServeOptions {
  /** Serve this one subgraph. */
  subgraph?: string;
  /** Serve the gateway over subgraphs (`subgraphs` or `supergraph`, else FEDERATION_SUBGRAPHS). */
  gateway?: boolean;
  /** `name=url,...` */
  subgraphs?: string;
  /** Supergraph SDL file (`sellergate compose > supergraph.graphql`). */
  supergraph?: string;
  /** `hive` or `apollo`; else FEDERATION_ENGINE (default hive). */
  engine?: string;
  port?: number;
  host?: string;
}


/** Components of `serve --gateway`. */
export async function federatedGatewayComponents(
  options: FederatedServeOptions,
  deps: { dataSource: DataSource; config: Config; policy: Policy },
): Promise<GatewayComponents> {
  const keys = federationKeys(deps.config);
  const engine = options.engine ?? deps.config.FEDERATION_ENGINE;
  if (!(FEDERATION_ENGINES as readonly string[]).includes(engine)) throw new Error(`Unknown federation engine "${engine}"; engines: ${FEDERATION_ENGINES.join(', ')}`);
  if (options.supergraph) {
    return createFederatedComponents({ ...deps, keys, engine: engine as FederationEngine, supergraphSdl: readFileSync(options.supergraph, 'utf8') });
  }
  const list = options.subgraphs ?? deps.config.FEDERATION_SUBGRAPHS;
  if (!list) throw new Error('serve --gateway needs --subgraphs name=url,... or --supergraph <file> (or FEDERATION_SUBGRAPHS)');
  return createFederatedComponents({ ...deps, keys, engine: engine as FederationEngine, subgraphs: parseSubgraphList(list) });
}

/** `serve --subgraph <name>`: one category, guarded by hop tokens, until SIGINT/SIGTERM. */
export async function serveSubgraph(options: FederatedServeOptions): Promise<void> {
  const name = options.subgraph ?? '';
  if (!isSubgraphName(name)) throw new Error(`Unknown subgraph "${name}"; subgraphs: ${SUBGRAPH_NAMES.join(', ')}`);
  const settings = config();
  const keys = federationKeys(settings);
  const policy = loadGatewayPolicy(settings);
  const db = await openDatabase(settings, { readReplica: true, sessionTimeouts: true });
  const server = await startSubgraphServer({ name, dataSource: db.dataSource, config: settings, policy, keys, port: options.port ?? settings.PORT, host: options.host });
  process.stdout.write(`sellergate subgraph ${name} ready at ${server.url}  (policy version ${server.policies.current().version})\n`);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger().info({ signal, subgraph: name }, 'shutting down');
    await server.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
