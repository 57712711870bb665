// A real gateway over HTTP on a free local port, for end-to-end tests.
import { config as loadedConfig, loadConfig, type Config } from '../../src/config';
import type { Policy } from '../../src/policy/policy';
import { createComponents, loadGatewayPolicy } from '../../src/server/components';
import { startGateway, type GatewayComponents } from '../../src/server/gateway';
import type { TestDatabase } from './database';

export interface GraphQLResponseBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; locations?: { line: number; column: number }[]; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

export interface PostOptions {
  token?: string;
  purpose?: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  headers?: Record<string, string>;
}

export interface TestResponse<T = GraphQLResponseBody> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestGateway {
  url: string;
  policy: Policy;
  config: Config;
  components: GatewayComponents;
  /** POSTs one GraphQL operation to /graphql. */
  post(query: string, options?: PostOptions): Promise<TestResponse>;
  /** POSTs any JSON body (batches, malformed input) to /graphql. */
  postRaw(body: string, headers?: Record<string, string>): Promise<TestResponse<unknown>>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

export interface TestGatewayOptions {
  env?: Record<string, string>;
  now?: () => Date;
  graphiqlHeaders?: () => Record<string, string>;
}

function requestHeaders(options: PostOptions): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.purpose) headers['x-purpose'] = options.purpose;
  return headers;
}

export async function startTestGateway(db: TestDatabase, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const settings = options.env ? loadConfig({ ...process.env, NODE_ENV: 'test', ...options.env }) : loadedConfig();
  const policy = loadGatewayPolicy(settings);
  const components = await createComponents({ dataSource: db.dataSource, config: settings, policy, now: options.now });
  const gateway = await startGateway({
    dataSource: db.dataSource,
    config: settings,
    policy,
    components,
    now: options.now,
    graphiqlHeaders: options.graphiqlHeaders,
    port: 0,
    host: '127.0.0.1',
  });
  const endpoint = `${gateway.url}/graphql`;
  const parse = async (response: Response) => {
    const text = await response.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  };
  return {
    url: gateway.url,
    policy,
    config: settings,
    components,
    async post(query, postOptions = {}) {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: requestHeaders(postOptions),
        body: JSON.stringify({ query, variables: postOptions.variables, operationName: postOptions.operationName }),
      });
      return { status: response.status, headers: response.headers, body: (await parse(response)) as GraphQLResponseBody };
    },
    async postRaw(body, headers = { 'content-type': 'application/json' }) {
      const response = await fetch(endpoint, { method: 'POST', headers, body });
      return { status: response.status, headers: response.headers, body: await parse(response) };
    },
    get: (path, headers) => fetch(`${gateway.url}${path}`, { headers }),
    stop: () => gateway.stop(),
  };
}
