// GraphiQL served entirely from node_modules (GraphiQL 4 UMD + React 18 UMD): no CDN, no
// outside request of any kind, and no inline script (the page works under a strict CSP).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router, type Request } from 'express';

const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'dist/index.umd.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'dist/style.css', type: 'text/css' },
};

// Package files that the packages' `exports` do not expose: found through the resolver's paths.
function packageFile(pkg: string, file: string): string {
  for (const dir of require.resolve.paths(pkg) ?? []) {
    const candidate = join(dir, pkg, file);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`GraphiQL asset not installed: ${pkg}/${file}`);
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>sellergate GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/assets/graphiql.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/assets/react.js"></script>
  <script src="/graphiql/assets/react-dom.js"></script>
  <script src="/graphiql/assets/graphiql.js"></script>
  <script src="/graphiql/init.js"></script>
</body>
</html>`;

const DEFAULT_QUERY = `# Set the Authorization and X-Purpose headers below, then run.
query Products {
  products(first: 5) {
    totalCount
    nodes { asin title brand }
  }
}
`;

function initScript(defaultHeaders: Record<string, string>): string {
  return `(function () {
  var defaults = ${JSON.stringify(defaultHeaders)};
  var base = GraphiQL.createFetcher({ url: '/graphql' });
  // GraphiQL's first request (the schema's introspection) can leave before the header editor has
  // handed over its contents: until it has, the pre-filled headers are sent.
  var fetcher = function (params, options) {
    var headers = options && options.headers;
    if (!headers || Object.keys(headers).length === 0) options = Object.assign({}, options, { headers: defaults });
    return base(params, options);
  };
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
    defaultHeaders: ${JSON.stringify(JSON.stringify(defaultHeaders, null, 2))},
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false
  }));
})();`;
}

/** What the header editor shows to anyone but a local browser. */
export const PLACEHOLDER_HEADERS = Object.freeze({ Authorization: 'Bearer <token>', 'X-Purpose': '<PURPOSE>' });

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * Whether a request comes from this machine's own browser: a loopback address, and (unless a
 * trusted proxy set the address from its header) no forwarding header, since a proxy on the same
 * machine would make every remote visitor look local.
 */
export function isLocalRequest(req: Request): boolean {
  if (!LOOPBACK.test(req.ip ?? '')) return false;
  const trustsProxy = Boolean(req.app.get('trust proxy'));
  return trustsProxy || (req.get('x-forwarded-for') === undefined && req.get('forwarded') === undefined);
}

/**
 * `/graphiql` and its assets. `defaultHeaders` pre-fills the header editor (the demo token in
 * demo mode): served only to a browser on this machine, everyone else gets placeholders.
 */
export function graphiqlRouter(defaultHeaders: () => Record<string, string>): Router {
  const router = Router();
  const cache = new Map<string, Buffer>();
  router.get('/graphiql', (_req, res) => {
    res.type('html').send(PAGE);
  });
  router.get('/graphiql/init.js', (req, res) => {
    res.type('text/javascript').set('Cache-Control', 'no-store').send(initScript(isLocalRequest(req) ? defaultHeaders() : PLACEHOLDER_HEADERS));
  });
  router.get('/graphiql/assets/:name', (req, res) => {
    const asset = ASSETS[req.params.name];
    if (!asset) {
      res.status(404).end();
      return;
    }
    let body = cache.get(req.params.name);
    if (!body) {
      body = readFileSync(packageFile(asset.pkg, asset.file));
      cache.set(req.params.name, body);
    }
    res.type(asset.type).set('Cache-Control', 'public, max-age=86400').send(body);
  });
  return router;
}
