#!/usr/bin/env node
// `npm start`: builds dist/ (TypeScript, then the console's bundle) only when a source file is
// newer than the last build (a look at file times, without loading the TypeScript compiler), then
// runs `sellergate serve` with the arguments given (`npm start -- --port 5000`).
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, utimesSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const BUILD_INFO = join(ROOT, 'dist', '.tsbuildinfo');
const SOURCES = ['src', 'entities', 'resolvers', 'schema', 'bench'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** Newest modification time of the TypeScript (and the console's CSS) files under `dir`. */
function newest(dir) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) time = Math.max(time, newest(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.css')) time = Math.max(time, statSync(path).mtimeMs);
  }
  return time;
}

function stale() {
  const bundle = join(ROOT, 'dist', 'console', 'console.js');
  if (!existsSync(BUILD_INFO) || !existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js')) || !existsSync(bundle)) return true;
  const built = Math.min(statSync(BUILD_INFO).mtimeMs, statSync(bundle).mtimeMs);
  return (
    SOURCES.some((dir) => existsSync(join(ROOT, dir)) && newest(join(ROOT, dir)) > built) ||
    CONFIGS.some((file) => existsSync(join(ROOT, file)) && statSync(join(ROOT, file)).mtimeMs > built)
  );
}

if (stale()) {
  process.stderr.write('sellergate: sources changed since the last build: building (tsc -b, then the console bundle)\n');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const build = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
  const bundled = spawnSync(process.execPath, [join(ROOT, 'dist', 'src', 'console', 'build-console.js')], { cwd: ROOT, stdio: 'inherit' });
  if (bundled.status !== 0) process.exit(bundled.status ?? 1);
  // tsc leaves its build info alone when no TypeScript changed (a CSS change): mark this build.
  const now = new Date();
  utimesSync(BUILD_INFO, now, now);
}
require('../dist/src/cli/main.js').run([process.argv[0], 'sellergate', 'serve', ...process.argv.slice(2)]);
