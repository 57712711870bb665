// `sellergate compose`: prints the supergraph SDL (Federation 2) for Apollo Router or `serve --gateway --supergraph`.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SUBGRAPH_NAMES } from './subgraph-names';

export function registerFederationCommands(program: Command): void {
  program
    .command('compose')
    .description(`Print the supergraph SDL composed from the subgraphs (${SUBGRAPH_NAMES.join(', ')})`)
    .option('--subgraphs <list>', 'name=url,... where the router reaches each subgraph (default: localhost:4001..4006)')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .option('--json', 'print {"supergraphSdl", "subgraphs"} as JSON')
    .action(async (options: { subgraphs?: string; output?: string; json?: boolean }) => {
      // Loaded here: composition is heavy, and every other command starts without it.
      const { composeSupergraph, defaultSubgraphEndpoints, parseSubgraphList } = require('./compose') as typeof import('./compose');
      const endpoints = options.subgraphs ? parseSubgraphList(options.subgraphs) : defaultSubgraphEndpoints();
      const sdl = await composeSupergraph(endpoints);
      const text = options.json ? `${JSON.stringify({ supergraphSdl: sdl, subgraphs: endpoints })}\n` : sdl;
      if (options.output) writeFileSync(options.output, text);
      else process.stdout.write(text);
    });
}
