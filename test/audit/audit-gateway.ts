// A gateway over HTTP wired with admission (its audit record per operation) and the API call log,
// as the server wires them, with a fixed table of test principals instead of real tokens.
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../src/auth/principal';
import { ApiCallLogger } from '../../src/audit/api-call.logger';
import { Admission } from '../../src/admission/admission';
import { graphqlAdmissionPlugin } from '../../src/admission/graphql-admission.plugin';
import { AuditWriter } from '../../src/audit/audit.writer';
import { config } from '../../src/config';
import { defaultPolicy, governSchema } from '../../src/policy';
import { asPolicySource } from '../../src/policy/policy-holder';
import { Purpose } from '../../src/policy/taxonomy';
import { startGateway } from '../../src/server/gateway';
import { buildGatewaySchema } from '../../src/server/schema';
import { testPrincipal } from '../support/context';

export const PRINCIPALS: Record<string, Principal> = {
  compliance: testPrincipal({ id: 'user:carla', role: 'compliance', purposes: [Purpose.COMPLIANCE_REVIEW, Purpose.AUDIT, Purpose.PLATFORM_COMPLIANCE] }),
  analyst: testPrincipal({ id: 'user:alan', role: 'analyst', purposes: [Purpose.BUSINESS_ANALYSIS, Purpose.OPERATIONAL_REPORTING] }),
  security: testPrincipal({ id: 'user:sam', role: 'security', purposes: [Purpose.SECURITY, Purpose.TROUBLESHOOTING, Purpose.AUDIT] }),
};

export interface AuditTestGateway {
  url: string;
  writer: AuditWriter;
  apiCalls: ApiCallLogger;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export async function startAuditTestGateway(dataSource: DataSource, options: { writerDataSource?: DataSource } = {}): Promise<AuditTestGateway> {
  const policy = defaultPolicy();
  const writer = new AuditWriter(options.writerDataSource ?? dataSource, { flushIntervalMs: 2 });
  const apiCalls = new ApiCallLogger(dataSource, { flushIntervalMs: 5 });
  const authenticate = async (authorization: string | undefined): Promise<Principal | null> => {
    if (!authorization) return null;
    const principal = PRINCIPALS[authorization.replace(/^Bearer /, '')];
    if (!principal) throw new GraphQLError('Invalid token', { extensions: { code: 'UNAUTHENTICATED' } });
    return principal;
  };
  const admission = new Admission({ dataSource, policies: asPolicySource(policy), authenticate, audit: (entry) => writer.append(entry) });
  const gateway = await startGateway({
    dataSource,
    config: config(),
    policy,
    port: 0,
    host: '127.0.0.1',
    components: {
      schema: governSchema(await buildGatewaySchema(), policy),
      admission,
      authenticate,
      plugins: [graphqlAdmissionPlugin(admission, { limits: null, mayIntrospect: () => true, isPersisted: null, apiCalls })],
      onHttpRefusal: (refusal) => admission.recordTransportRefusal(refusal),
      middleware: [apiCalls.middleware()],
      stop: async () => {
        await writer.stop();
        await apiCalls.stop();
      },
    },
  });
  return {
    url: gateway.url,
    writer,
    apiCalls,
    async post(body, headers = {}) {
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    stop: () => gateway.stop(),
  };
}
