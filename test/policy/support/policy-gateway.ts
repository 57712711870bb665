// A real HTTP gateway with the access policy wired in (governed schema, authentication,
// governance plugin), plus one token per role. Mirrors what the server wires in production.
import 'reflect-metadata';
import { buildSchema, type NonEmptyArray } from 'type-graphql';
import { createToken } from '../../../src/auth/api-token.service';
import { createAuthenticator } from '../../../src/auth/authenticate';
import { loadConfig, type Config } from '../../../src/config';
import { defaultPolicy } from '../../../src/policy/default-policy';
import { governSchema } from '../../../src/policy/govern-schema';
import { governancePlugin } from '../../../src/policy/governance.plugin';
import { governanceResolvers } from '../../../src/policy';
import type { Policy } from '../../../src/policy/policy';
import { startGateway } from '../../../src/server/gateway';
import { allResolvers } from '../../../src/server/schema';
import type { TestDatabase } from '../../support/database';
import type { GraphQLResponseBody, PostOptions, TestResponse } from '../../support/gateway';

export const TEST_JWT_SECRET = 'test-jwt-secret-of-at-least-32-characters!';
export const TEST_PSEUDONYM_KEY = 'test-pseudonym-key-0123456789';

export interface PolicyGateway {
  url: string;
  policy: Policy;
  config: Config;
  /** One token per role of the policy, holding all the role's purposes. */
  tokens: Record<string, string>;
  post(query: string, options?: PostOptions): Promise<TestResponse>;
  stop(): Promise<void>;
}

export async function buildUngovernedSchema() {
  const resolvers = [...allResolvers(), ...governanceResolvers] as unknown as NonEmptyArray<Function>;
  return buildSchema({ resolvers, validate: false });
}

export async function startPolicyGateway(db: TestDatabase, options: { env?: Record<string, string>; now?: () => Date } = {}): Promise<PolicyGateway> {
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    JWT_SECRET: TEST_JWT_SECRET,
    JWT_AUDIENCE: 'sellergate',
    JWT_ISSUER: 'https://sso.example.test',
    PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
    ...options.env,
  });
  const policy = defaultPolicy();
  const schema = governSchema(await buildUngovernedSchema(), policy, { pseudonymKey: TEST_PSEUDONYM_KEY });
  const gateway = await startGateway({
    dataSource: db.dataSource,
    config,
    policy,
    now: options.now,
    components: { schema, authenticate: createAuthenticator({ config, policy }), plugins: [governancePlugin(policy)] },
    port: 0,
    host: '127.0.0.1',
  });
  const tokens: Record<string, string> = {};
  for (const role of Object.keys(policy.roles)) {
    tokens[role] = (await createToken(db.dataSource.manager, policy, { role, createdBy: 'test' })).token;
  }
  return {
    url: gateway.url,
    policy,
    config,
    tokens,
    async post(query, post = {}) {
      const headers: Record<string, string> = { 'content-type': 'application/json', ...post.headers };
      if (post.token) headers.authorization = `Bearer ${post.token}`;
      if (post.purpose) headers['x-purpose'] = post.purpose;
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, variables: post.variables, operationName: post.operationName }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponseBody };
    },
    stop: () => gateway.stop(),
  };
}
