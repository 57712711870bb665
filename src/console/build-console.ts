// Bundles the console (preact, htm, chart.js and its own code) with esbuild into
// dist/console/console.js and console.css: `npm run build` runs it after tsc.
import { build } from 'esbuild';
import { join } from 'node:path';
import { CONSOLE_ASSETS_DIR, CONSOLE_SOURCE_DIR } from './console-assets';

export async function buildConsole(options: { minify?: boolean } = {}): Promise<void> {
  await build({
    entryPoints: { console: join(CONSOLE_SOURCE_DIR, 'main.ts') },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    minify: options.minify ?? true,
    sourcemap: false,
    legalComments: 'eof',
    outdir: CONSOLE_ASSETS_DIR,
    logLevel: 'warning',
  });
  await build({ entryPoints: { console: join(CONSOLE_SOURCE_DIR, 'console.css') }, bundle: true, minify: options.minify ?? true, outdir: CONSOLE_ASSETS_DIR, logLevel: 'warning' });
}

if (require.main === module) {
  buildConsole().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
