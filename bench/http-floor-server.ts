// One server of `npm run bench:http-floor`: the same JSON answer to POST /graphql behind one of
// the HTTP stacks the gateway could sit on (HTTP_FLOOR_STACK), with a CPU probe at /__cpu.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';

const CAMPAIGNS = Array.from({ length: 20 }, (_, index) => ({ campaignId: `c${index}`, name: `Campaign ${index}`, state: 'ENABLED' }));
const DATA = { campaigns: { nodes: CAMPAIGNS } };
const ANSWER = JSON.stringify({ data: DATA });

/**
 * Apollo Server's request pipeline alone: the document parsed and validated once (its cache),
 * then every request answered with the same data by a plugin before execution, as the gateway's
 * planned executor answers a planned operation. No context, no other plugin.
 */
async function apolloPipeline(): Promise<ApolloServer> {
  const apollo = new ApolloServer({
    typeDefs: 'type Campaign { campaignId: String! name: String! state: String! } type CampaignConnection { nodes: [Campaign!]! } type Query { campaigns(first: Int): CampaignConnection! }',
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      {
        async requestDidStart() {
          return {
            async responseForOperation() {
              return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: DATA } } };
            },
          };
        },
      },
    ],
  });
  await apollo.start();
  return apollo;
}

function answer(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(ANSWER) });
  res.end(ANSWER);
}

function readBody(req: IncomingMessage, then: (body: unknown) => void): void {
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (text += chunk));
  req.on('end', () => then(JSON.parse(text)));
}

function cpuProbe(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.url !== '/__cpu') return false;
  const usage = process.cpuUsage();
  res.end(JSON.stringify({ cpuMicros: usage.user + usage.system }));
  return true;
}

const stack = process.env.HTTP_FLOOR_STACK ?? 'node';
const parseJson = express.json({ limit: '1mb' });
let handler: (req: IncomingMessage, res: ServerResponse) => void;
if (stack === 'node') {
  handler = (req, res) => readBody(req, () => answer(res));
} else if (stack === 'node+body-parser') {
  handler = (req, res) => parseJson(req as express.Request, res as express.Response, () => answer(res));
} else if (stack === 'express' || stack === 'express+body-parser') {
  const app = express();
  app.set('etag', false);
  app.disable('x-powered-by');
  if (stack === 'express') app.post('/graphql', (req, res) => readBody(req, () => answer(res)));
  else app.post('/graphql', parseJson, (_req, res) => answer(res));
  handler = app;
} else if (stack === 'node+body-parser+apollo') {
  const started = apolloPipeline();
  handler = (req, res) =>
    parseJson(req as express.Request, res as express.Response, () => {
      void started.then(async (apollo) => {
        const headers = new HeaderMap();
        for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        const response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: '', body: (req as express.Request).body },
          context: async () => ({}),
        });
        if (response.body.kind !== 'complete') throw new Error('expected a complete answer');
        res.writeHead(response.status ?? 200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(response.body.string) });
        res.end(response.body.string);
      });
    });
} else {
  throw new Error(`HTTP_FLOOR_STACK: unknown stack ${stack}`);
}

const server = createServer((req, res) => (cpuProbe(req, res) ? undefined : handler(req, res)));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ ready: `http://127.0.0.1:${port}/graphql` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
