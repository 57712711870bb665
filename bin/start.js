#!/usr/bin/env node
// `npm start`: builds dist/ only when a source file is newer than the last build (a look at file
// times, without loading the TypeScript compiler), then runs `sellergate serve` with the arguments
// given (`npm start -- --port 5000`).
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const BUILD_INFO = join(ROOT, 'dist', '.tsbuildinfo');
const SOURCES = ['src', 'entities', 'resolvers', 'schema', 'bench'];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** Newest modification time of the TypeScript files under `dir`. */
function newest(dir) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) time = Math.max(time, newest(path));
    else if (entry.name.endsWith('.ts')) time = Math.max(time, statSync(path).mtimeMs);
  }
  return time;
}

function stale() {
  if (!existsSync(BUILD_INFO) || !existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) return true;
  const built = statSync(BUILD_INFO).mtimeMs;
  return (
    SOURCES.some((dir) => existsSync(join(ROOT, dir)) && newest(join(ROOT, dir)) > built) ||
    CONFIGS.some((file) => existsSync(join(ROOT, file)) && statSync(join(ROOT, file)).mtimeMs > built)
  );
}

if (stale()) {
  process.stderr.write('sellergate: sources changed since the last build: building (tsc -b)\n');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const build = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
require('../dist/src/cli/main.js').run([process.argv[0], 'sellergate', 'serve', ...process.argv.slice(2)]);
