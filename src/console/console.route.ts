// /console: the compliance console's page and its bundled assets (dist/console, built by
// `npm run build`). The page carries no data and no credential: every screen asks /graphql with
// the token the user signs in with, admitted, governed and audited like any client's request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import { CONSOLE_ASSETS, CONSOLE_ASSETS_DIR, consoleBuilt } from './console-assets';

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>sellergate console</title>
  <link rel="stylesheet" href="/console/assets/console.css">
  <script src="/console/assets/console.js" defer></script>
</head>
<body>
  <div id="app"><noscript><p>The console needs JavaScript. The public Data Deletion page (/data-deletion) does not.</p></noscript></div>
</body>
</html>`;

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sellergate console</title></head>
<body><h1>The console is not built</h1><p>Run <code>npm run build</code> (it bundles the console into dist/console), then start the gateway again.</p></body></html>`;

const TYPES: Record<string, string> = { 'console.js': 'text/javascript', 'console.css': 'text/css' };

export function consoleRouter(): Router {
  const router = Router();
  const cache = new Map<string, Buffer>();
  router.get(['/console', '/console/'], (_req, res) => {
    if (!consoleBuilt()) {
      res.status(503).type('html').send(NOT_BUILT);
      return;
    }
    // The credential lives in sessionStorage: no cache, no referrer, no framing (helmet's CSP).
    res.type('html').set({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).send(PAGE);
  });
  router.get('/console/assets/:name', (req, res) => {
    const name = req.params.name as (typeof CONSOLE_ASSETS)[number];
    if (!CONSOLE_ASSETS.includes(name) || !consoleBuilt()) {
      res.status(404).end();
      return;
    }
    let body = cache.get(name);
    if (!body) {
      body = readFileSync(join(CONSOLE_ASSETS_DIR, name));
      cache.set(name, body);
    }
    res.type(TYPES[name]).set('cache-control', 'no-cache').send(body);
  });
  return router;
}
