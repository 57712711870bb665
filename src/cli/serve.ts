// `sellergate serve`: migrate, load demo data where wanted, print demo tokens, serve.
import { join, resolve } from 'node:path';
import { config } from '../config';
import { openDatabase } from '../db/open-database';
import { seedDemo } from '../db/demo/seed-demo';
import { startRetentionSchedule } from '../retention/retention-schedule';
import { startSyncSchedule } from '../connectors/sync-schedule';
import { reportCredentialHealth } from '../security/credentials/vault';
import { federatedGatewayComponents, serveSubgraph, type FederatedServeOptions } from '../federation/serve-federated';
import { createComponents, ensureDemoTokens, loadGatewayPolicy } from '../server/components';
import { describeOrigin } from '../policy/policy-store';
import { startGateway } from '../server/gateway';
import { logger } from '../logger';

export interface ServeOptions extends FederatedServeOptions {
  port?: number;
  host?: string;
  /** Load demo data into an empty database even when it is a server (DATABASE_URL). */
  demo?: boolean;
}

export async function serve(options: ServeOptions = {}): Promise<void> {
  // Federation (src/federation): one category as a subgraph, or the gateway over subgraphs.
  if (options.subgraph) return serveSubgraph(options);
  const settings = config();
  const log = logger();
  const policy = loadGatewayPolicy(settings);
  const started = Date.now();
  const db = await openDatabase(settings, { readReplica: true, sessionTimeouts: true, serveEmbedded: true });
  log.info({ embedded: db.embedded, migrationsApplied: db.applied }, db.embedded ? `embedded PostgreSQL under ${resolve(settings.DATA_DIR)}` : 'connected to PostgreSQL');

  const demoWanted = db.embedded || options.demo || settings.SEED_DEMO === '1' || settings.SEED_DEMO === 'true';
  let demoTokens: Record<string, string> = {};
  if (demoWanted) {
    const seedStarted = Date.now();
    const seeded = await seedDemo(db.dataSource, (message) => log.info(message), { trustedLoad: db.embedded });
    if (seeded) log.info(`demo data loaded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s (${((Date.now() - started) / 1000).toFixed(1)} s since the database was opened)`);
    demoTokens = await ensureDemoTokens(db.dataSource, join(settings.DATA_DIR, 'demo-tokens.json'), policy);
  }

  const components = options.gateway
    ? await federatedGatewayComponents(options, { dataSource: db.dataSource, config: settings, policy })
    : await createComponents({ dataSource: db.dataSource, config: settings, policy });
  const gateway = await startGateway({
    dataSource: db.dataSource,
    config: settings,
    policy,
    components,
    port: options.port ?? settings.PORT,
    host: options.host,
    graphiqlHeaders: () =>
      demoTokens.analyst
        ? { Authorization: `Bearer ${demoTokens.analyst}`, 'X-Purpose': 'BUSINESS_ANALYSIS' }
        : { Authorization: 'Bearer <token>', 'X-Purpose': '<PURPOSE>' },
  });

  const lines = [`sellergate ready at ${gateway.url}/graphql  (GraphiQL: ${gateway.url}/graphiql, console: ${gateway.url}/console, Data Deletion page: ${gateway.url}/data-deletion)`, `policy version ${components.policies?.current().version ?? policy.version} (${components.policies ? describeOrigin(components.policies.origin()) : 'fixed'})`];
  if (Object.keys(demoTokens).length > 0) {
    lines.push(`demo tokens (also in ${join(settings.DATA_DIR, 'demo-tokens.json')}):`);
    for (const [role, token] of Object.entries(demoTokens)) lines.push(`  ${role.padEnd(16)} ${token}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  // Stored Amazon credentials: stale ones, and ones under a key no longer configured, to SYSTEM_LOGS.
  await reportCredentialHealth(db.dataSource, settings, log);
  // Retention on RETENTION_SCHEDULE (src/retention): rules applied, overdue deletion requests flagged.
  const retention = startRetentionSchedule(db.dataSource, { config: settings, log: (level, message, details) => log[level](details ?? {}, message) });
  // Amazon connectors on SYNC_SCHEDULE (off by default; src/connectors, docs/connectors.md).
  const syncSchedule = startSyncSchedule(db.dataSource, { config: settings, log: (level, message, details) => log[level](details ?? {}, message) });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await retention.stop();
    await syncSchedule.stop();
    await gateway.stop();
    await db.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
