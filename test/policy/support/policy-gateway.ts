// A real HTTP gateway with the access policy wired in, plus one token per role.
// - default: the production wiring (`startTestGateway`: audit, security, governance), with the
//   security limits that a test sending hundreds of operations would trip switched off;
// - `{ policyOnly: true }`: only the policy components (governed schema, authentication,
//   admission without the audit log) on the same express/Apollo gateway, for the matrix and scope
//   tests whose reference data must not change under them (the audit log grows with every request);
//   `policy` replaces the shipped one there.
import 'reflect-metadata';
import { createToken } from '../../../src/auth/api-token.service';
import { Admission } from '../../../src/admission/admission';
import { graphqlAdmissionPlugin } from '../../../src/admission/graphql-admission.plugin';
import { createAuthenticator } from '../../../src/auth/authenticate';
import { config as loadedConfig, loadConfig, type Config } from '../../../src/config';
import { defaultPolicy } from '../../../src/policy/default-policy';
import { governSchema } from '../../../src/policy/govern-schema';
import type { Policy } from '../../../src/policy/policy';
import { asPolicySource } from '../../../src/policy/policy-holder';
import { startGateway } from '../../../src/server/gateway';
import { buildGatewaySchema } from '../../../src/server/schema';
import { resolvePseudonymKey } from '../../../src/policy/masks';
import type { TestDatabase } from '../../support/database';
import { startTestGateway, type GraphQLResponseBody, type PostOptions, type TestResponse } from '../../support/gateway';

export const TEST_JWT_SECRET = 'test-jwt-secret-of-at-least-32-characters!';
/** The key the gateway's masks use in tests (no PSEUDONYM_KEY configured: the demo key). */
export const TEST_PSEUDONYM_KEY = resolvePseudonymKey(loadedConfig());

/** Limits, rate limits, suspicious-activity rules and the partner persisted-only rule off: tests that send many requests of every shape. */
export const LIMITS_OFF_ENV = {
  MAX_QUERY_COST: '0',
  MAX_QUERY_DEPTH: '0',
  MAX_TOKENS: '0',
  MAX_ALIASES: '0',
  RATE_LIMIT_PER_MINUTE: '0',
  IP_RATE_LIMIT_PER_MINUTE: '0',
  SUSPICIOUS_FORBIDDEN_COUNT: '0',
  SUSPICIOUS_ROWS_COUNT: '0',
  SUSPICIOUS_REVOKED_TOKEN_USES: '0',
  SUSPICIOUS_IP_VIOLATIONS: '0',
  PARTNER_PERSISTED_ONLY: 'false',
};

const TEST_ENV = {
  JWT_SECRET: TEST_JWT_SECRET,
  JWT_AUDIENCE: 'sellergate',
  JWT_ISSUER: 'https://sso.example.test',
  ...LIMITS_OFF_ENV,
};

export interface PolicyGateway {
  url: string;
  policy: Policy;
  config: Config;
  /** One token per role of the policy, holding all the role's purposes. */
  tokens: Record<string, string>;
  post(query: string, options?: PostOptions): Promise<TestResponse>;
  /** The gateway's change feed (what the API and the CLI publish revocations on); absent with `policyOnly`. */
  changes?: import('../../../src/server/change-feed').ChangeFeed;
  stop(): Promise<void>;
}

/** The schema without governance (reference results). */
export async function buildUngovernedSchema() {
  return buildGatewaySchema();
}

async function createTokens(db: TestDatabase, policy: Policy): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const role of Object.keys(policy.roles)) {
    tokens[role] = (await createToken(db.dataSource.manager, policy, { role, createdBy: 'test' })).token;
  }
  return tokens;
}

export async function startPolicyGateway(db: TestDatabase, options: { env?: Record<string, string>; policyOnly?: boolean; policy?: Policy } = {}): Promise<PolicyGateway> {
  if (!options.policyOnly) {
    const gateway = await startTestGateway(db, { env: { ...TEST_ENV, ...options.env } });
    return { url: gateway.url, policy: gateway.policy, config: gateway.config, tokens: await createTokens(db, gateway.policy), post: gateway.post, changes: gateway.components.changes, stop: gateway.stop };
  }
  const config = loadConfig({ ...process.env, NODE_ENV: 'test', ...TEST_ENV, ...options.env });
  const policy = options.policy ?? defaultPolicy();
  const schema = governSchema(await buildUngovernedSchema(), policy, { pseudonymKey: TEST_PSEUDONYM_KEY });
  const authenticate = createAuthenticator({ config, policy });
  // Admission without an audit log, rate limits or suspensions: the reference data stays as it is.
  const admission = new Admission({ dataSource: db.dataSource, policies: asPolicySource(policy), authenticate });
  const gateway = await startGateway({
    dataSource: db.dataSource,
    config,
    policy,
    components: { schema, admission, authenticate, plugins: [graphqlAdmissionPlugin(admission, { limits: null, mayIntrospect: () => true, isPersisted: null })] },
    port: 0,
    host: '127.0.0.1',
  });
  const tokens = await createTokens(db, policy);
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
