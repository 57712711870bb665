// Legal holds: placed and released by an administrator, with a reason; every place and release
// is also a user action (the GraphQL operation is audited as well). Retention rules and deletion
// requests consult active holds in SQL (retention-targets.ts `notHeld`).
import type { EntityManager } from 'typeorm';
import { LegalHold } from '../../entities/gateway/legal-hold.entity';
import { recordUserAction } from '../audit/system-logs';
import type { RowScope } from '../auth/principal';
import { requireWithinScope, scopedQuery } from '../db/scoped';
import { badUserInput } from '../errors';
import { accountReach } from './scope-reach';

export interface PlaceLegalHoldInput {
  reason: string;
  sellerAccountId?: string | null;
  amazonOrderIds?: string[] | null;
  settlementIds?: string[] | null;
  /** Record dates from (inclusive) and to (exclusive). */
  fromDate?: Date | null;
  toDate?: Date | null;
  /** When the hold lapses; none: until released. */
  endsAt?: Date | null;
}

export interface ActingPrincipal {
  /** Principal id, or `cli:<os user>`. */
  actor: string;
  requestId?: string | null;
  now: Date;
  /** The principal's row scope: it sees and acts only on objects within it. */
  scope: RowScope;
}

const clean = (values: string[] | null | undefined): string[] => [...new Set((values ?? []).map((value) => value.trim()).filter(Boolean))];

export function isHoldActive(hold: LegalHold, now: Date): boolean {
  return hold.releasedAt === null && (hold.endsAt === null || hold.endsAt > now);
}

export async function placeLegalHold(manager: EntityManager, input: PlaceLegalHoldInput, by: ActingPrincipal): Promise<LegalHold> {
  const reason = input.reason?.trim() ?? '';
  if (!reason) throw badUserInput('A legal hold needs a reason', { argumentName: 'reason' });
  const amazonOrderIds = clean(input.amazonOrderIds);
  const settlementIds = clean(input.settlementIds);
  // A principal limited to one account holds only that account's records.
  const account = input.sellerAccountId?.trim() || (by.scope.accounts?.length === 1 ? by.scope.accounts[0] : null);
  if (!account && amazonOrderIds.length === 0 && settlementIds.length === 0 && !input.fromDate && !input.toDate) {
    throw badUserInput('A legal hold names an account, order ids, settlement ids or a date range', { argumentName: 'input' });
  }
  if (input.fromDate && input.toDate && input.fromDate >= input.toDate) throw badUserInput('`fromDate` must be before `toDate`', { argumentName: 'fromDate' });
  if (input.endsAt && input.endsAt <= by.now) throw badUserInput('`endsAt` must be in the future', { argumentName: 'endsAt' });
  // What it holds: the account's records (all of its marketplaces), or every account's.
  const reach = account ? await accountReach(manager, account) : { accounts: null, marketplaces: null };
  requireWithinScope(by, reach, 'The legal hold');
  const hold = await manager.save(
    manager.create(LegalHold, {
      reason: reason.slice(0, 1000),
      sellerAccountId: account,
      scopeAccounts: reach.accounts ? [...reach.accounts] : null,
      scopeMarketplaces: reach.marketplaces ? [...reach.marketplaces] : null,
      amazonOrderIds,
      settlementIds,
      fromDate: input.fromDate ?? null,
      toDate: input.toDate ?? null,
      endsAt: input.endsAt ?? null,
      placedBy: by.actor,
      placedAt: by.now,
      releasedAt: null,
      releasedBy: null,
      releaseReason: null,
    }),
  );
  await recordUserAction(manager, { actor: by.actor, action: 'legal_hold.place', target: hold.id, requestId: by.requestId, time: by.now });
  return hold;
}

export async function releaseLegalHold(manager: EntityManager, id: string, reason: string, by: ActingPrincipal): Promise<LegalHold> {
  if (!reason?.trim()) throw badUserInput('Releasing a legal hold needs a reason', { argumentName: 'reason' });
  const hold = await findHold(manager, id, by.scope);
  if (hold.releasedAt) throw badUserInput(`Legal hold ${id} was already released at ${hold.releasedAt.toISOString()}`, { argumentName: 'id' });
  hold.releasedAt = by.now;
  hold.releasedBy = by.actor;
  hold.releaseReason = reason.trim().slice(0, 1000);
  await manager.save(hold);
  await recordUserAction(manager, { actor: by.actor, action: 'legal_hold.release', target: hold.id, requestId: by.requestId, time: by.now });
  return hold;
}

/** A hold within `scope`; one outside it is answered as one that does not exist. */
export async function findHold(manager: EntityManager, id: string, scope: RowScope): Promise<LegalHold> {
  const hold = /^[0-9a-f-]{36}$/i.test(id) ? await scopedQuery({ scope }, manager, LegalHold, 'h').andWhere('h.id = :id', { id }).getOne() : null;
  if (!hold) throw badUserInput(`No legal hold ${id}`, { argumentName: 'id' });
  return hold;
}

/** Active holds (or all, with `includeInactive`), newest first. */
export async function listLegalHolds(manager: EntityManager, options: { includeInactive?: boolean; now: Date; scope: RowScope }): Promise<LegalHold[]> {
  const holds = await scopedQuery(options, manager, LegalHold, 'h').orderBy('h.placedAt', 'DESC').getMany();
  return options.includeInactive ? holds : holds.filter((hold) => isHoldActive(hold, options.now));
}
