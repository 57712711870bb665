// Arguments that filter, look up or sort by a field reveal its value: an equality filter confirms
// it, a narrow range finds it, an order ranks it. Services ask here, before their query, whether
// the request may use such an argument: only when it may read the field in full, or, for fields
// masked with PSEUDONYM, when the value is given as the request sees it (mapped back here).
// Services call these themselves because the planned executor reaches them without the schema's
// middleware (DESIGN.md "Invariants every entry point keeps").
import { GraphQLError } from 'graphql';
import { SellerAccount } from '../../entities/catalog/seller-account.entity';
import { config } from '../config';
import { contextState, type RequestContext } from '../context';
import { scopedRead } from '../db/scoped';
import { badUserInput, ErrorCode } from '../errors';
import { DecisionRule, type Decision } from './decide';
import { governedFields } from './governed-fields';
import { pseudonym, resolvePseudonymKey } from './masks';
import { decisionFor } from './request-decisions';
import { MaskKind, type Purpose } from './taxonomy';

/**
 * An argument that filters, looks up or sorts by `coordinate` is accepted only when the request
 * may read it in full; otherwise FORBIDDEN, naming the coordinate (recorded as denied). A
 * coordinate without a classification, once a schema is governed, is refused too: fail closed.
 */
export function requireFullRead(ctx: RequestContext, coordinate: string, argument: string, purpose: Purpose | null = ctx.purpose): void {
  // No schema governed in this process (governance off, or services used outside any schema):
  // nothing is masked, so the argument reveals nothing the rows do not.
  if (!isGoverned()) return;
  if (readsInFull(argumentDecision(ctx, coordinate, purpose))) return;
  throw notInFull(ctx, coordinate, argument, purpose);
}

/**
 * `value` when the request may filter by `coordinate` (see `requireFullRead`); undefined when no
 * value is given (no filter).
 */
export function fullReadFilter<T>(ctx: RequestContext, coordinate: string, argument: string, value: T | null | undefined, purpose: Purpose | null = ctx.purpose): T | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  requireFullRead(ctx, coordinate, argument, purpose);
  return value;
}

function isGoverned(): boolean {
  return governedFields().classifications.size > 0;
}

/** The request's decision for `coordinate` (null when the coordinate has no classification here). */
function argumentDecision(ctx: RequestContext, coordinate: string, purpose: Purpose | null): Decision | null {
  const { classifications, policy: governedPolicy } = governedFields();
  const policy = ctx.policy ?? governedPolicy;
  const field = classifications.get(coordinate);
  return field && policy ? decisionFor(ctx, policy, field, classifications, purpose) : null;
}

function readsInFull(decision: Decision | null): boolean {
  return decision !== null && decision.effect === 'allow' && !decision.mask && decision.rule !== DecisionRule.AGGREGATE_THRESHOLD;
}

function notInFull(ctx: RequestContext, coordinate: string, argument: string, purpose: Purpose | null): GraphQLError {
  ctx.governance.denied.add(coordinate);
  return new GraphQLError(`Access denied: ${argument} reads ${coordinate}, which is not available in full under purpose ${purpose ?? 'none'}`, {
    extensions: { code: ErrorCode.FORBIDDEN, coordinate, purpose },
  });
}

const PSEUDONYM_MAPS = Symbol('pseudonyms of the seller accounts in scope');

/** Pseudonym -> seller id of the registered seller accounts within the request's row scope; once per request context. */
function pseudonymsInScope(ctx: RequestContext, key: string): Promise<ReadonlyMap<string, string>> {
  const byKey = contextState(ctx, PSEUDONYM_MAPS, () => new Map<string, Promise<ReadonlyMap<string, string>>>());
  let map = byKey.get(key);
  if (!map) {
    map = scopedRead(ctx, SellerAccount, 'a')
      .select('a.sellerId', 'sellerId')
      .getRawMany<{ sellerId: string }>()
      .then((rows) => new Map(rows.map((row) => [pseudonym(row.sellerId, key), row.sellerId])));
    // A failed read is not kept: the next filter of the request asks again.
    map.catch(() => byKey.delete(key));
    byKey.set(key, map);
  }
  return map;
}

/**
 * The seller id to filter a list by, from its `account:` argument. A filter on a field reveals its
 * value (an equality filter confirms which pseudonym is which seller id), so the argument is taken
 * as the request sees `coordinate` (the list's `sellerAccountId` field, or that of the rows an
 * aggregate sums):
 * - read in full: the value as given;
 * - masked with PSEUDONYM: the value must be a pseudonym the request could have seen, i.e. that of
 *   a registered seller account within its row scope; it is mapped back to the seller id. A real
 *   seller id, or any other value, is BAD_USER_INPUT, the same whether the account exists or not;
 * - denied, or masked otherwise: FORBIDDEN, naming the coordinate (recorded as denied).
 * Empty or absent: no filter (undefined). Call it in the service, before the query: the planned
 * executor reaches the services without the schema's middleware.
 */
export async function accountFilter(
  ctx: RequestContext,
  coordinate: string,
  account: string | null | undefined,
  argument = 'account',
  purpose: Purpose | null = ctx.purpose,
): Promise<string | undefined> {
  if (!account) return undefined;
  // No schema governed in this process (the gateway runs with governance off, or services are used
  // outside any schema): nothing is masked, so the argument reveals nothing the rows do not.
  if (!isGoverned()) return account;
  const decision = argumentDecision(ctx, coordinate, purpose);
  if (readsInFull(decision)) return account;
  if (decision?.effect !== 'mask' || decision.mask !== MaskKind.PSEUDONYM) throw notInFull(ctx, coordinate, argument, purpose);
  const key = governedFields().pseudonymKey ?? resolvePseudonymKey(config());
  const sellerId = (await pseudonymsInScope(ctx, key)).get(account);
  if (sellerId !== undefined) return sellerId;
  throw badUserInput(`Unknown seller account in \`${argument}\`: give the account as you see it (its pseudonym, as ${coordinate} shows it)`, {
    argumentName: argument,
    coordinate,
  });
}
