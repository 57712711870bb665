// Aggregates and minimization (DESIGN.md): a `masked` grant sees an aggregate measure in full
// only for groups covering at least k orders or entities; smaller groups are withheld and
// counted. Aggregate services pass their groups through `suppressSmallGroups`; a group that did
// not pass through it gets masked (or denied) measures instead of full ones.
import { GraphQLError } from 'graphql';
import { SellerAccount } from '../../entities/catalog/seller-account.entity';
import { config } from '../config';
import { contextState, type RequestContext } from '../context';
import { scopedRead } from '../db/scoped';
import { badUserInput, ErrorCode } from '../errors';
import { DecisionRule, type Decision } from './decide';
import type { FieldInfo } from './field-registry';
import { pseudonym, resolvePseudonymKey } from './masks';
import type { Policy } from './policy';
import { decisionFor } from './request-decisions';
import { MaskKind, type Purpose } from './taxonomy';

const checkedGroups = new WeakSet<object>();
let aggregateFields = new Map<string, FieldInfo[]>();
let classifications: ReadonlyMap<string, FieldInfo> = new Map();
let governedPolicy: Policy | undefined;
let governedPseudonymKey: string | undefined;

/**
 * Called by governSchema: the aggregate measures of each type, under the policy in force, and the
 * key its PSEUDONYM masks use (`accountFilter` maps pseudonyms back with it).
 */
export function registerAggregateFields(fields: ReadonlyMap<string, FieldInfo>, policy: Policy, pseudonymKey?: string): void {
  if (pseudonymKey !== undefined) governedPseudonymKey = pseudonymKey;
  const byType = new Map<string, FieldInfo[]>();
  classifications = fields;
  for (const field of fields.values()) {
    if (!field.aggregate) continue;
    byType.set(field.typeName, [...(byType.get(field.typeName) ?? []), field]);
  }
  aggregateFields = byType;
  governedPolicy = policy;
}

/**
 * Smallest group size this request may receive for groups of `typeName` (0: no threshold), under
 * `purpose` (the root field's, `purposeOf`; default the operation's).
 */
export function aggregateMinGroupSize(ctx: RequestContext, typeName: string, purpose: Purpose | null = ctx.purpose): number {
  // The request's policy (bound to the version its schema was governed by).
  const policy = ctx.policy ?? governedPolicy;
  let size = 0;
  for (const field of aggregateFields.get(typeName) ?? []) {
    const decision = decisionFor(ctx, policy, field, classifications, purpose);
    if (decision.rule === DecisionRule.AGGREGATE_THRESHOLD) size = Math.max(size, decision.minGroupSize ?? 0);
  }
  return size;
}

/**
 * Removes groups smaller than the request's threshold, counts them in
 * `ctx.governance.suppressedGroups`, and marks the rest as checked. Call it on every list of
 * aggregate groups (type `typeName`) before returning it.
 */
export function suppressSmallGroups<T extends object>(ctx: RequestContext, typeName: string, groups: readonly T[], size: (group: T) => number, purpose: Purpose | null = ctx.purpose): T[] {
  const k = aggregateMinGroupSize(ctx, typeName, purpose);
  const kept = k > 0 ? groups.filter((group) => size(group) >= k) : [...groups];
  ctx.governance.suppressedGroups += groups.length - kept.length;
  for (const group of kept) checkedGroups.add(group);
  return kept;
}

/** Whether a group went through `suppressSmallGroups` (measures may then be returned in full). */
export function isCheckedGroup(group: unknown): boolean {
  return typeof group === 'object' && group !== null && checkedGroups.has(group);
}

/**
 * An argument that filters or sorts by a field reveals its value: a narrow range finds it, an
 * order ranks it. Such an argument is accepted only when the request may read `coordinate` in
 * full; otherwise FORBIDDEN, naming the coordinate (recorded as denied). A coordinate without a
 * classification here is refused too: fail closed.
 */
export function requireFullRead(ctx: RequestContext, coordinate: string, argument: string, purpose: Purpose | null = ctx.purpose): void {
  if (readsInFull(argumentDecision(ctx, coordinate, purpose))) return;
  throw notInFull(ctx, coordinate, argument, purpose);
}

/** The request's decision for `coordinate` (null when the coordinate has no classification here). */
function argumentDecision(ctx: RequestContext, coordinate: string, purpose: Purpose | null): Decision | null {
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
  if (classifications.size === 0) return account;
  const decision = argumentDecision(ctx, coordinate, purpose);
  if (readsInFull(decision)) return account;
  if (decision?.effect !== 'mask' || decision.mask !== MaskKind.PSEUDONYM) throw notInFull(ctx, coordinate, argument, purpose);
  const key = governedPseudonymKey ?? resolvePseudonymKey(config());
  const sellerId = (await pseudonymsInScope(ctx, key)).get(account);
  if (sellerId !== undefined) return sellerId;
  throw badUserInput(`Unknown seller account in \`${argument}\`: give the account as you see it (its pseudonym, as ${coordinate} shows it)`, {
    argumentName: argument,
    coordinate,
  });
}
