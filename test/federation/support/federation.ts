// Gateway + one subgraph server per category, in this jest process on separate ports, all on
// the test database's DataSource (PGlite: one shared session), plus the single process beside
// them, so a test can send the same operation to both.
import type { ApolloServerPlugin } from '@apollo/server';
import { loadConfig, type Config } from '../../../src/config';
import type { RequestContext } from '../../../src/context';
import { createFederatedComponents, type FederationEngine } from '../../../src/federation/federated-gateway';
import type { KeyObject } from 'node:crypto';
import type { Principal } from '../../../src/auth/principal';
import { federationKeys, hopBodyHash, signInternalContext } from '../../../src/federation/internal-context';
import type { Purpose } from '../../../src/policy/taxonomy';
import { startSubgraphServer, type SubgraphServer } from '../../../src/federation/subgraph-server';
import { SUBGRAPH_NAMES } from '../../../src/federation/subgraphs';
import { composeSupergraph } from '../../../src/federation/compose';
import type { Policy } from '../../../src/policy/policy';
import { loadGatewayPolicy } from '../../../src/server/components';
import { startGateway } from '../../../src/server/gateway';
import type { TestDatabase } from '../../support/database';
import type { GraphQLResponseBody, PostOptions, TestResponse } from '../../support/gateway';

export interface TestFederation {
  gatewayUrl: string;
  /** The coprocessor's own listener (`.../coprocessor`), with FEDERATION_COPROCESSOR=1. */
  coprocessorUrl?: string;
  subgraphs: SubgraphServer[];
  config: Config;
  policy: Policy;
  post(query: string, options?: PostOptions): Promise<TestResponse>;
  stop(): Promise<void>;
}

export async function postGraphQL(endpoint: string, query: string, options: PostOptions = {}): Promise<TestResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.purpose) headers['x-purpose'] = options.purpose;
  const response = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ query, variables: options.variables, operationName: options.operationName }) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the assertion message
  }
  return { status: response.status, headers: response.headers, body: body as GraphQLResponseBody };
}

export async function startTestFederation(
  db: TestDatabase,
  options: {
    env?: Record<string, string>;
    now?: () => Date;
    /** Extra gateway plugins, after the gateway's own. */
    plugins?: ApolloServerPlugin<RequestContext>[];
    /** The federation engine (default: FEDERATION_ENGINE, else Hive Gateway's runtime). */
    engine?: FederationEngine;
    /** Load the supergraph `sellergate compose` prints (@apollo/composition) instead of composing the subgraphs' SDL at start. */
    composed?: boolean;
  } = {},
): Promise<TestFederation> {
  // The coprocessor listener (FEDERATION_COPROCESSOR=1) on any free port unless the test says.
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', FEDERATION_COPROCESSOR_PORT: '0', ...options.env });
  const policy = loadGatewayPolicy(config);
  const keys = federationKeys(config);
  const subgraphs: SubgraphServer[] = [];
  for (const name of SUBGRAPH_NAMES) {
    subgraphs.push(await startSubgraphServer({ name, dataSource: db.dataSource, config, policy, keys, now: options.now, port: 0, host: '127.0.0.1' }));
  }
  const components = await createFederatedComponents({
    dataSource: db.dataSource,
    config,
    policy,
    keys,
    now: options.now,
    engine: options.engine,
    ...(options.composed
      ? { supergraphSdl: await composeSupergraph(subgraphs.map(({ name, url }) => ({ name, url }))) }
      : { subgraphs: subgraphs.map(({ name, url }) => ({ name, url })) }),
  });
  components.plugins.push(...(options.plugins ?? []));
  const gateway = await startGateway({ dataSource: db.dataSource, config, policy, components, now: options.now, port: 0, host: '127.0.0.1' });
  return {
    gatewayUrl: gateway.url,
    coprocessorUrl: components.coprocessorUrl,
    subgraphs,
    config,
    policy,
    post: (query, postOptions) => postGraphQL(`${gateway.url}/graphql`, query, postOptions),
    async stop() {
      await gateway.stop();
      for (const subgraph of subgraphs) await subgraph.stop();
    },
  };
}

/** A hop token as the gateway mints it (demo key unless `key`), for a direct call to a subgraph. */
export async function mintHop(options: {
  audience: string;
  query: string;
  variables?: Record<string, unknown>;
  principal: Principal | null;
  purpose?: Purpose | null;
  policyVersion: string;
  requestId?: string;
  clientDocumentHash?: string | null;
  now?: Date;
  ttlSeconds?: number;
  key?: KeyObject;
}): Promise<string> {
  return signInternalContext(
    {
      requestId: options.requestId ?? 'req-direct',
      principal: options.principal,
      purpose: options.purpose ?? null,
      policyVersion: options.policyVersion,
      clientDocumentHash: options.clientDocumentHash ?? null,
    },
    { audience: options.audience, bodyHash: hopBodyHash(options.query, options.variables) },
    options.key ?? federationKeys({ NODE_ENV: 'test' }).signingKey!,
    options.now ?? new Date(),
    options.ttlSeconds,
  );
}
