// The seller accounts and marketplaces a legal hold or deletion request reaches, computed from
// what it names when it is made and stored with it (`scopeAccounts`, `scopeMarketplaces`), so the
// scoped data-access layer (src/db/scoped.ts) shows and hands it only to principals whose scope
// holds all of it.
import type { EntityManager } from 'typeorm';
import { Order } from '../../entities/orders/order.entity';
import type { RowScope } from '../auth/principal';
import { isScoped, scopedQuery } from '../db/scoped';
import { badUserInput, ErrorCode, gatewayError } from '../errors';

/** An account's data: the account and every marketplace it is registered for. */
export async function accountReach(manager: EntityManager, account: string): Promise<RowScope> {
  const rows: { marketplace_id: string }[] = await manager.query('SELECT marketplace_id FROM seller_account_marketplace WHERE seller_id = $1 ORDER BY marketplace_id', [account]);
  return { accounts: [account], marketplaces: rows.map((row) => row.marketplace_id) };
}

export interface OrdersReach {
  /** The account to limit the deletion to (named, or the one account of a scoped principal's orders). */
  account: string | null;
  reach: RowScope;
}

/**
 * Orders named by a deletion request, read within the requester's scope: a principal limited in
 * scope may name only orders it can read (one not found is refused alike whether it does not
 * exist or lies outside the scope, so existence is not revealed) and of one account, to which the
 * deletion is then limited.
 */
export async function ordersReach(manager: EntityManager, scope: RowScope, orderIds: string[], account: string | null): Promise<OrdersReach> {
  const query = scopedQuery({ scope }, manager, Order, 'o').select(['o.amazonOrderId', 'o.sellerAccountId', 'o.marketplaceId']).andWhere('o.amazonOrderId IN (:...orderIds)', { orderIds });
  if (account) query.andWhere('o.sellerAccountId = :account', { account });
  const found = await query.getMany();
  const accounts = [...new Set(found.map((order) => order.sellerAccountId))].sort();
  const marketplaces = [...new Set(found.map((order) => order.marketplaceId))].sort();
  if (!isScoped({ scope })) {
    if (found.length === 0) return account ? { account, reach: await accountReach(manager, account) } : { account, reach: { accounts: null, marketplaces: null } };
    return { account, reach: { accounts: [...new Set([...accounts, ...(account ? [account] : [])])].sort(), marketplaces } };
  }
  const missing = orderIds.filter((id) => !found.some((order) => order.amazonOrderId === id));
  if (missing.length > 0) {
    // Positions, not the ids: error messages may be logged, and order ids are identifiers.
    const positions = orderIds.flatMap((id, index) => (missing.includes(id) ? [index + 1] : []));
    throw gatewayError(ErrorCode.FORBIDDEN, `${missing.length} of ${orderIds.length} order id(s) are not among the orders you may act on (position${positions.length > 1 ? 's' : ''} ${positions.join(', ')} of the list)`, { argumentName: 'scope', reason: 'ROW_SCOPE' });
  }
  if (accounts.length > 1) throw badUserInput('Name the account: a deletion request of a principal limited in scope covers orders of one account', { argumentName: 'scope' });
  return { account: account ?? accounts[0], reach: { accounts, marketplaces } };
}
