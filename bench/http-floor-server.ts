// One server of `npm run bench:http-floor`: the same JSON answer to POST /graphql behind one of
// the HTTP stacks the gateway could sit on (HTTP_FLOOR_STACK), with a CPU probe at /__cpu.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';

const ANSWER = JSON.stringify({ data: { campaigns: Array.from({ length: 20 }, (_, index) => ({ campaignId: `c${index}`, name: `Campaign ${index}`, state: 'ENABLED' })) } });

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
