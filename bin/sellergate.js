#!/usr/bin/env node
// Entry point for `npx sellergate`: runs the compiled CLI (built by `npm ci` through `prepare`).
require('../dist/src/cli/main.js').run(process.argv);
