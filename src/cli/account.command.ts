// `sellergate account add|list`: the seller accounts (and marketplaces) imports are allowed for.
import type { Command } from 'commander';
import { KNOWN_MARKETPLACES } from '../ingest/marketplaces';
import { listAccounts, registerAccount } from '../ingest/seller-accounts';
import { Category, Permission } from '../policy/taxonomy';
import { output, withAdmission, type CliDeps } from './cli-deps';

export function registerAccountCommands(program: Command, deps: CliDeps): void {
  const account = program.command('account').description('Seller accounts the company owns or is authorized for (imports for others are refused)');

  account
    .command('add')
    .description('Register (or update) a seller account and its marketplaces')
    .argument('<sellerId>', 'Amazon seller (merchant) id, e.g. A2EUQ1WTGCTBG2')
    .requiredOption('--marketplaces <ids>', `comma-separated marketplace ids (known: ${KNOWN_MARKETPLACES.map((m) => `${m.marketplaceId}=${m.countryCode}`).join(', ')})`)
    .option('--name <name>', 'display name')
    .option('--reauthorize', 'authorize again an account that was de-authorized (only without a token limited in scope); without it, registering again keeps the account as it is')
    .option('--json', 'print the account as JSON')
    .action(async (sellerId: string, options: { marketplaces: string; name?: string; reauthorize?: boolean; json?: boolean }) => {
      const spec = { name: 'account add', kind: 'mutation', permission: { permission: Permission.MANAGE_ACCOUNTS, what: 'register seller accounts' }, categories: [Category.CATALOG] } as const;
      // The row scope of the admitted principal is applied by registerAccount (a refusal exits 1 and is recorded).
      const added = await withAdmission(deps, spec, (ctx, db) =>
        registerAccount(db.dataSource, { sellerId, name: options.name, marketplaces: options.marketplaces.split(','), reauthorize: options.reauthorize }, ctx),
      );
      output(options.json, added, () =>
        `account ${added.sellerId} (${added.name}) registered for ${added.marketplaces.join(', ')}` +
          (added.authorized ? '' : '\nnote: the account stays NOT authorized (it was de-authorized): imports and syncs for it are refused; re-authorize it with --reauthorize'),
      );
    });

  account
    .command('list')
    .description('List the registered seller accounts')
    .option('--json', 'print the accounts as JSON')
    .action(async (options: { json?: boolean }) => {
      const accounts = await withAdmission(deps, { name: 'account list', kind: 'query', categories: [Category.CATALOG] }, async (ctx, db) => {
        // A token limited in scope sees only its accounts, and of them only its marketplaces.
        const visible = await listAccounts(db.dataSource, undefined, ctx);
        ctx.governance.countRows(Category.CATALOG, visible.length);
        return visible;
      });
      output(options.json, accounts, () =>
        accounts.length === 0
          ? 'no accounts registered'
          : accounts.map((a) => `${a.sellerId}\t${a.authorized ? 'authorized' : 'not authorized'}\t${a.marketplaces.join(',')}\t${a.name}`).join('\n'),
      );
    });
}
