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
  <link rel="stylesheet" href="/graphiql/sellergate.css">
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/assets/react.js"></script>
  <script src="/graphiql/assets/react-dom.js"></script>
  <script src="/graphiql/assets/graphiql.js"></script>
  <script src="/graphiql/init.js"></script>
</body>
</html>`;

const STYLE = `html, body, #graphiql { height: 100%; margin: 0; }
#graphiql { display: flex; flex-direction: column; }
#graphiql > .graphiql-container { flex: 1; min-height: 0; }
.sg-bar { display: flex; gap: 1em; align-items: center; padding: 4px 12px; font: 13px system-ui, sans-serif; border-bottom: 1px solid #ddd; }
.sg-bar select { font: inherit; }
.sg-legend-masked, .sg-masked { background: #fff1b8; }
.sg-legend-denied, .sg-denied { background: #ffd6d6; }
.sg-note { font-size: 11px; font-style: italic; margin-left: 1em; padding: 0 4px; border-radius: 3px; }
.sg-masked-note { background: #fadb14; color: #000; }
.sg-denied-note { background: #ff7875; color: #000; }
`;

const DEFAULT_QUERY = `# Set the Authorization and X-Purpose headers below (or pick a purpose above), then run.
# Masked values are marked in the result; Docs show each field's sensitivity and the purposes that grant it,
# and mark "Not available to you" what you can never read under any of your purposes.
# One query under several purposes: give root fields their own, e.g. orders(first: 5) @purpose(name: OPERATIONAL_REPORTING) { ... }
query Products {
  products(first: 5) {
    totalCount
    nodes { asin title brand }
  }
}
`;

// The page's own script (no inline script): the fetcher, the purpose picker and the marks.
function initScript(defaultHeaders: Record<string, string>): string {
  return `(function () {
  var h = React.createElement;
  var defaults = ${JSON.stringify(defaultHeaders)};
  var base = GraphiQL.createFetcher({ url: '/graphql', enableIncrementalDelivery: false });

  function lineOfPaths(value) {
    // Line of each response path in JSON.stringify(value, null, 2), the text GraphiQL shows.
    var lines = {};
    var line = 0;
    (function walk(node, path) {
      if (node === null || typeof node !== 'object') return;
      var keys = Array.isArray(node) ? node.map(function (_, i) { return i; }) : Object.keys(node).filter(function (key) { return node[key] !== undefined && typeof node[key] !== 'function'; });
      if (keys.length === 0) return;
      keys.forEach(function (key) {
        line += 1;
        var next = path.concat([key]);
        lines[next.join('.')] = line;
        walk(node[key], next);
      });
      line += 1;
    })(value, []);
    return lines;
  }

  function note(kind, text) {
    var span = document.createElement('span');
    span.className = 'sg-note sg-' + kind + '-note';
    span.textContent = text;
    return span;
  }

  function markResult(result, attempt) {
    var wrapper = document.querySelector('.result-window .CodeMirror');
    var cm = wrapper && wrapper.CodeMirror;
    var text = JSON.stringify(result, null, 2);
    if (!cm || cm.getValue() !== text) {
      if (attempt < 100) setTimeout(function () { markResult(result, attempt + 1); }, 50);
      return;
    }
    var lines = lineOfPaths(result);
    var governance = (result.extensions && result.extensions.governance) || {};
    (governance.maskedPaths || []).forEach(function (entry) {
      var line = lines[['data'].concat(entry.path).join('.')];
      if (line === undefined) return;
      cm.addLineClass(line, 'background', 'sg-masked');
      cm.addLineWidget(line, note('masked', 'masked: ' + entry.coordinate), { above: false, noHScroll: true });
    });
    (result.errors || []).forEach(function (error) {
      var code = error.extensions && error.extensions.code;
      if (code !== 'FORBIDDEN' || !error.path) return;
      var line = lines[['data'].concat(error.path).join('.')];
      if (line === undefined) return;
      cm.addLineClass(line, 'background', 'sg-denied');
      cm.addLineWidget(line, note('denied', 'denied: ' + (error.extensions.coordinate || error.path.join('.'))), { above: false, noHScroll: true });
    });
  }

  var fetcher = function (params, options) {
    // GraphiQL's first request (the schema's introspection) can leave before the header editor
    // has handed over its contents: until it has, the pre-filled headers are sent.
    var headers = options && options.headers;
    if (!headers || Object.keys(headers).length === 0) options = Object.assign({}, options, { headers: defaults });
    if (params.operationName === 'IntrospectionQuery') return base(params, options);
    var request = Object.assign({}, params, { extensions: Object.assign({}, params.extensions, { governancePaths: true }) });
    return Promise.resolve(base(request, options)).then(function (result) {
      if (result && typeof result === 'object') markResult(result, 0);
      return result;
    });
  };

  function parseHeaders(text) {
    try {
      var parsed = JSON.parse(text || '{}');
      return parsed && typeof parsed === 'object' ? parsed : {};
    } catch (e) {
      return null;
    }
  }

  function purposeOf(headers) {
    var key = Object.keys(headers || {}).filter(function (name) { return name.toLowerCase() === 'x-purpose'; })[0];
    return key ? headers[key] : '';
  }

  function App() {
    var initial = JSON.stringify(defaults, null, 2);
    var state = React.useState(initial);
    var headersText = state[0];
    var setHeadersText = state[1];
    var meState = React.useState(null);
    var me = meState[0];
    var setMe = meState[1];
    var authorization = (function () {
      var parsed = parseHeaders(headersText) || {};
      var key = Object.keys(parsed).filter(function (name) { return name.toLowerCase() === 'authorization'; })[0];
      return key ? parsed[key] : '';
    })();
    React.useEffect(function () {
      // The caller's granted purposes, from the me query (no purpose needed).
      var headers = { 'content-type': 'application/json' };
      if (authorization) headers.authorization = authorization;
      fetch('/graphql', { method: 'POST', headers: headers, body: JSON.stringify({ query: 'query GraphiQLMe { me { role purposes } }' }) })
        .then(function (response) { return response.json(); })
        .then(function (body) { setMe(body && body.data && body.data.me ? body.data.me : null); })
        .catch(function () { setMe(null); });
    }, [authorization]);
    var current = purposeOf(parseHeaders(headersText));
    var choose = function (event) {
      var parsed = parseHeaders(headersText) || {};
      Object.keys(parsed).forEach(function (name) { if (name.toLowerCase() === 'x-purpose') delete parsed[name]; });
      if (event.target.value) parsed['X-Purpose'] = event.target.value;
      setHeadersText(JSON.stringify(parsed, null, 2));
    };
    var purposes = me ? me.purposes : [];
    var options = [h('option', { key: '', value: '' }, '(no purpose)')].concat(purposes.map(function (purpose) {
      return h('option', { key: purpose, value: purpose }, purpose);
    }));
    if (current && purposes.indexOf(current) < 0) options.push(h('option', { key: current, value: current }, current + ' (not granted)'));
    var bar = h('div', { className: 'sg-bar' },
      h('label', null, 'Purpose ', h('select', { id: 'sg-purpose', 'aria-label': 'Purpose', value: current, onChange: choose, disabled: !me }, options)),
      h('span', { id: 'sg-role' }, me ? 'role: ' + me.role : 'not signed in: set the Authorization header'),
      h('span', { id: 'sg-purpose-hint', title: 'The purpose picked here is X-Purpose, for every root field without its own. A root field may name its own purpose: field @purpose(name: PURPOSE) (each must be one of yours).' }, 'per root field: @purpose(name: …)'),
      h('span', null, h('span', { className: 'sg-legend-masked' }, ' masked '), ' ', h('span', { className: 'sg-legend-denied' }, ' denied ')));
    return h(React.Fragment, null, bar, h(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
      headers: headersText,
      onEditHeaders: setHeadersText,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false
    }));
  }

  ReactDOM.createRoot(document.getElementById('graphiql')).render(h(App));
})();`;
}

/** What the header editor shows to anyone but a local browser. */
export const PLACEHOLDER_HEADERS = Object.freeze({ Authorization: 'Bearer <token>', 'X-Purpose': '<PURPOSE>' });

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/**
 * Whether a request comes from this machine's own browser: a connection from a loopback address
 * carrying no forwarding header. The connection's own address, not the one a trusted proxy
 * reports: with TRUST_PROXY, `X-Forwarded-For: 127.0.0.1` from a remote visitor would otherwise
 * look local, and a proxy on this machine makes every remote visitor's connection loopback.
 */
export function isLocalRequest(req: Request): boolean {
  if (!LOOPBACK.test(req.socket.remoteAddress ?? '')) return false;
  return req.get('x-forwarded-for') === undefined && req.get('forwarded') === undefined;
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
  router.get('/graphiql/sellergate.css', (_req, res) => {
    res.type('text/css').set('Cache-Control', 'no-store').send(STYLE);
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
