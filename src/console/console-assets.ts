// Where the console's bundle is: built by `npm run build` (esbuild) into dist/console/, served
// from there by the gateway. Nothing is loaded from outside at run time.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the console module');
    dir = parent;
  }
  return dir;
}

export const CONSOLE_SOURCE_DIR = join(packageRoot(), 'src', 'console', 'client');
export const CONSOLE_ASSETS_DIR = join(packageRoot(), 'dist', 'console');
export const CONSOLE_ASSETS = ['console.js', 'console.css'] as const;

export function consoleBuilt(): boolean {
  return CONSOLE_ASSETS.every((name) => existsSync(join(CONSOLE_ASSETS_DIR, name)));
}
