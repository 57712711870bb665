// Registering the seller accounts (and their marketplaces) the company owns or is authorized
// for: imports for anything else are refused (data policy §1).
import type { DataSource } from 'typeorm';
import { UNRESTRICTED_SCOPE } from '../auth/principal';
import { isScoped, requireWithinScope, type ScopedContext } from '../db/scoped';
import { ErrorCode, gatewayError } from '../errors';
import { accountReach } from '../retention/scope-reach';
import { knownMarketplace } from './marketplaces';

export interface RegisteredAccount {
  sellerId: string;
  name: string;
  authorized: boolean;
  marketplaces: string[];
  createdAt: string;
}

export class AccountError extends Error {}

const SELLER_ID = /^[A-Z0-9]{6,32}$/;

/**
 * Adds (or updates) an account and links its marketplaces. Marketplace rows are created for
 * known marketplace ids (country, currency, sales channel from the built-in table).
 *
 * `by` is the acting request (its row scope): a principal limited in scope acts only on an
 * account it holds whole (the account and every marketplace it is registered for, see
 * `accountReach`) and links only marketplaces within its scope; it registers no new account and
 * re-authorizes none (refused, FORBIDDEN). Registering an account again keeps whether it is
 * authorized: a de-authorized account stays so unless `reauthorize` is given (by a principal not
 * limited in scope).
 */
export async function registerAccount(
  dataSource: DataSource,
  input: { sellerId: string; name?: string; marketplaces: string[]; reauthorize?: boolean },
  by: ScopedContext = { scope: UNRESTRICTED_SCOPE },
): Promise<RegisteredAccount> {
  const sellerId = input.sellerId.trim();
  if (!SELLER_ID.test(sellerId)) throw new AccountError(`"${sellerId}" is not an Amazon seller id (6-32 upper-case letters and digits)`);
  const ids = [...new Set(input.marketplaces.map((m) => m.trim()).filter(Boolean))];
  if (ids.length === 0) throw new AccountError('Name at least one marketplace id, e.g. --marketplaces ATVPDKIKX0DER');
  await dataSource.transaction(async (manager) => {
    const existing: { authorized: boolean }[] = await manager.query('SELECT authorized FROM seller_account WHERE seller_id = $1 FOR UPDATE', [sellerId]);
    if (isScoped(by)) {
      const reach = await accountReach(manager, sellerId);
      requireWithinScope(by, { accounts: reach.accounts, marketplaces: [...new Set([...(reach.marketplaces ?? []), ...ids])].sort() }, 'Registering the seller account');
      if (existing.length === 0) throw gatewayError(ErrorCode.FORBIDDEN, 'A principal limited in scope may not register a new seller account', { reason: 'ROW_SCOPE' });
      if (input.reauthorize) throw gatewayError(ErrorCode.FORBIDDEN, 'Only a principal not limited in scope may re-authorize a seller account', { reason: 'ROW_SCOPE' });
    }
    for (const id of ids) {
      const existing: unknown[] = await manager.query('SELECT 1 FROM marketplace WHERE marketplace_id = $1', [id]);
      if (existing.length) continue;
      const known = knownMarketplace(id);
      if (!known) throw new AccountError(`Unknown marketplace id ${id}: use an Amazon marketplace id such as ATVPDKIKX0DER (US) or A1F83G8C2ARO7P (UK)`);
      await manager.query('INSERT INTO marketplace (marketplace_id, country_code, currency_code, sales_channel) VALUES ($1, $2, $3, $4)', [
        known.marketplaceId,
        known.countryCode,
        known.currencyCode,
        known.salesChannel,
      ]);
    }
    await manager.query(
      `INSERT INTO seller_account (seller_id, name, authorized) VALUES ($1, $2, true)
       ON CONFLICT (seller_id) DO UPDATE SET name = COALESCE($3, seller_account.name), authorized = seller_account.authorized OR $4`,
      [sellerId, input.name ?? sellerId, input.name ?? null, input.reauthorize === true],
    );
    for (const id of ids) {
      await manager.query('INSERT INTO seller_account_marketplace (seller_id, marketplace_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [sellerId, id]);
    }
  });
  const [account] = await listAccounts(dataSource, sellerId);
  return account;
}

/**
 * The registered accounts; with `by`, those its row scope sees (an account in its accounts,
 * linked to one of its marketplaces), each with only the marketplaces within that scope.
 */
export async function listAccounts(dataSource: DataSource, sellerId?: string, by: ScopedContext = { scope: UNRESTRICTED_SCOPE }): Promise<RegisteredAccount[]> {
  const rows: { seller_id: string; name: string; authorized: boolean; created_at: Date; marketplaces: string[] | null }[] = await dataSource.query(
    `SELECT a.seller_id, a.name, a.authorized, a.created_at,
            array_remove(array_agg(sm.marketplace_id ORDER BY sm.marketplace_id), NULL) AS marketplaces
       FROM seller_account a LEFT JOIN seller_account_marketplace sm ON sm.seller_id = a.seller_id
      ${sellerId ? 'WHERE a.seller_id = $1' : ''}
      GROUP BY a.seller_id ORDER BY a.seller_id`,
    sellerId ? [sellerId] : [],
  );
  const { accounts, marketplaces } = by.scope;
  return rows
    .filter((row) => !accounts || accounts.includes(row.seller_id))
    .map((row) => ({
      sellerId: row.seller_id,
      name: row.name,
      authorized: row.authorized,
      marketplaces: (row.marketplaces ?? []).filter((marketplace) => !marketplaces || marketplaces.includes(marketplace)),
      createdAt: new Date(row.created_at).toISOString(),
    }))
    .filter((account) => !marketplaces || account.marketplaces.length > 0);
}
