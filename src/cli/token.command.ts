// `sellergate token create|list|revoke`: API tokens for systems and partners.
import type { Command } from 'commander';
import { createToken, listTokens, parseExpiresIn, revokeToken } from '../auth/api-token.service';
import type { ApiToken } from '../../entities/gateway/api-token.entity';
import { Permission } from '../policy/taxonomy';
import { output, withAdmission, type CliDeps } from './cli-deps';

// Loaded when a change is published: most commands never need the feed's clients (Redis, pg).
const changeFeed = () => require('../server/change-feed') as typeof import('../server/change-feed');

const MANAGE_TOKENS = { permission: Permission.MANAGE_TOKENS, what: 'manage API tokens' } as const;

const list = (value: string): string[] => value.split(',').map((item) => item.trim()).filter(Boolean);

/** What is shown about a token (never its hash). */
function describe(token: ApiToken) {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    purposes: token.purposes,
    categories: token.categories,
    accounts: token.accounts,
    marketplaces: token.marketplaces,
    partner: token.partner,
    expiresAt: token.expiresAt?.toISOString() ?? null,
    createdBy: token.createdBy,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

function status(token: ApiToken, now: Date): string {
  if (token.revokedAt) return 'revoked';
  if (token.expiresAt && token.expiresAt <= now) return 'expired';
  return 'active';
}

export function registerTokenCommands(program: Command, deps: CliDeps): void {
  const token = program.command('token').description('API tokens: create (shown once), list, revoke');

  token
    .command('create')
    .description('Create an API token; its secret is printed once and stored only as a hash')
    .requiredOption('--role <role>', 'role of the policy, e.g. analyst')
    .option('--purposes <purposes>', 'comma-separated purposes (a subset of the role\'s; default: all of them)', list)
    .option('--name <name>', 'a name saying who or what uses it')
    .option('--expires-in <duration>', 'lifetime, e.g. 30d or 12h (at most 90d; required with --partner)')
    .option('--accounts <ids>', 'limit to these seller accounts (comma-separated)', list)
    .option('--marketplaces <ids>', 'limit to these marketplaces (comma-separated)', list)
    .option('--categories <categories>', 'limit to these data categories (comma-separated)', list)
    .option('--partner', 'service-provider token (needs --expires-in)')
    .option('--json', 'print the result as JSON (holds id and token)')
    .action(async (options: { role: string; purposes?: string[]; name?: string; expiresIn?: string; accounts?: string[]; marketplaces?: string[]; categories?: string[]; partner?: boolean; json?: boolean }) => {
      const created = await withAdmission(deps, { name: 'token create', kind: 'mutation', permission: MANAGE_TOKENS }, (ctx, db) =>
        createToken(db.dataSource.manager, ctx.policy, {
          role: options.role,
          purposes: options.purposes,
          name: options.name,
          expiresInDays: options.expiresIn === undefined ? undefined : parseExpiresIn(options.expiresIn),
          accounts: options.accounts,
          marketplaces: options.marketplaces,
          categories: options.categories,
          partner: options.partner,
          createdBy: ctx.principal!.kind === 'operator' ? ctx.principal!.id : `${ctx.principal!.kind}:${ctx.principal!.id}`,
          creator: ctx.principal,
        }),
      );
      output(options.json, { ...describe(created.record), token: created.token }, () =>
        [
          `Created token ${created.record.id} (${created.record.name}), role ${created.record.role}, purposes ${created.record.purposes.join(', ') || 'none'}`,
          created.record.expiresAt ? `Expires ${created.record.expiresAt.toISOString()}` : 'Does not expire',
          'Store the token now; it is not shown again:',
          created.token,
        ].join('\n'),
      );
    });

  token
    .command('list')
    .description('List API tokens (never their secrets)')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }) => {
      const tokens = await withAdmission(deps, { name: 'token list', kind: 'query', permission: MANAGE_TOKENS }, (ctx, db) => listTokens(db.dataSource.manager, ctx.scope));
      const now = new Date();
      output(options.json, tokens.map(describe), () =>
        tokens.length === 0
          ? 'no tokens'
          : tokens
              .map((t) => `${t.id}  ${status(t, now).padEnd(7)}  ${t.role.padEnd(16)} ${t.name}  purposes=${t.purposes.join(',') || '-'}${t.partner ? '  partner' : ''}${t.expiresAt ? `  expires=${t.expiresAt.toISOString()}` : ''}`)
              .join('\n'),
      );
    });

  token
    .command('revoke <id>')
    .description('Revoke a token: refused from the next request on')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const revoked = await withAdmission(deps, { name: 'token revoke', kind: 'mutation', permission: MANAGE_TOKENS }, async (ctx, db) => {
        const done = await revokeToken(db.dataSource.manager, id, ctx.scope);
        await changeFeed().publishChange({ config: deps.config(), dataSource: db.dataSource }, { kind: 'token-revoked', id: done.id });
        return done;
      });
      output(options.json, describe(revoked), () => `revoked ${revoked.id} (${revoked.name}) at ${revoked.revokedAt?.toISOString()}`);
    });
}
