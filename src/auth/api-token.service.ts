// Creating, listing and revoking API tokens: one service for the CLI and the admin mutations.
import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { Marketplace } from '../../entities/catalog/marketplace.entity';
import { SellerAccount } from '../../entities/catalog/seller-account.entity';
import { scopedQuery, scopeWithin } from '../db/scoped';
import { badUserInput, ErrorCode, gatewayError } from '../errors';
import { defaultPolicy } from '../policy/default-policy';
import type { GrantEffect, Policy } from '../policy/policy';
import { ALL_CATEGORIES, categoryOfPurpose, isPurpose, Permission, type Category, type Purpose } from '../policy/taxonomy';
import type { Principal, RowScope } from './principal';
import { generateTokenSecret, hashTokenSecret } from './token-secret';

/** Longest lifetime of a token that expires (and of every partner token). */
export const MAX_TOKEN_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface CreateTokenInput {
  role: string;
  /** Default: all of the role's purposes. */
  purposes?: readonly string[] | null;
  name?: string | null;
  categories?: readonly string[] | null;
  accounts?: readonly string[] | null;
  marketplaces?: readonly string[] | null;
  partner?: boolean | null;
  /** Lifetime in days (at most 90); required for partner tokens. */
  expiresInDays?: number | null;
  ipAllowList?: readonly string[] | null;
  /** Who created it (user id, token id, or `cli:<os user>`). */
  createdBy: string;
  /**
   * The principal creating it: the token can be no wider than it (role permissions and grants,
   * purposes, categories, accounts, marketplaces). None, or the local operator: not limited.
   */
  creator?: Principal | null;
}

export interface CreatedToken {
  /** The secret: shown once, never stored. */
  token: string;
  record: ApiToken;
}

/** Parses `30d`, `12h`, `90` (days) into days. */
export function parseExpiresIn(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([dh]?)$/.exec(value.trim());
  if (!match) throw badUserInput(`Invalid expiry "${value}": use e.g. 30d or 12h`, { argumentName: 'expiresIn' });
  const amount = Number(match[1]);
  return match[2] === 'h' ? amount / 24 : amount;
}

function distinct(values: readonly string[] | null | undefined): string[] | null {
  if (values === null || values === undefined) return null;
  return [...new Set(values.map((value) => value.trim()).filter(Boolean))];
}

/** Validates the request against the policy (purposes a subset of the role's, expiry rules). */
export async function createToken(db: EntityManager, policy: Policy, input: CreateTokenInput, now: Date = new Date()): Promise<CreatedToken> {
  const role = policy.roles[input.role];
  if (!role) throw badUserInput(`Unknown role "${input.role}"; roles: ${Object.keys(policy.roles).join(', ')}`, { argumentName: 'role' });
  const purposes = distinct(input.purposes) ?? [...role.purposes];
  const unknown = purposes.filter((purpose) => !isPurpose(purpose));
  if (unknown.length) throw badUserInput(`Unknown purpose(s): ${unknown.join(', ')}`, { argumentName: 'purposes' });
  const outside = purposes.filter((purpose) => !role.purposes.includes(purpose as Purpose));
  if (outside.length) {
    throw badUserInput(`Role ${input.role} may not declare ${outside.join(', ')}; its purposes: ${role.purposes.join(', ') || 'none'}`, { argumentName: 'purposes' });
  }
  const categories = distinct(input.categories);
  const badCategories = (categories ?? []).filter((category) => !ALL_CATEGORIES.includes(category as Category));
  if (badCategories.length) throw badUserInput(`Unknown categories: ${badCategories.join(', ')}`, { argumentName: 'categories' });
  if (categories) {
    const stray = purposes.filter((purpose) => !categories.includes(categoryOfPurpose(purpose as Purpose)));
    if (stray.length) throw badUserInput(`Purposes ${stray.join(', ')} belong to categories the token is not limited to`, { argumentName: 'purposes' });
  }
  const partner = input.partner === true;
  // EXPORT_DATA only lets a role make files of what it reads: it makes no role administrative. A
  // partner token holds no permission whatever its role (holdsPermission), so it cannot export.
  const administrative = role.permissions.filter((permission) => permission !== Permission.EXPORT_DATA);
  if (partner && administrative.length > 0) throw badUserInput(`A partner token cannot hold the administrative role ${input.role}`, { argumentName: 'role' });
  if (partner && (input.expiresInDays === null || input.expiresInDays === undefined)) {
    throw badUserInput(`A partner token needs an expiry of at most ${MAX_TOKEN_DAYS} days`, { argumentName: 'expiresIn' });
  }
  let expiresAt: Date | null = null;
  if (input.expiresInDays !== null && input.expiresInDays !== undefined) {
    if (!(input.expiresInDays > 0) || input.expiresInDays > MAX_TOKEN_DAYS) {
      throw badUserInput(`Expiry must be more than 0 and at most ${MAX_TOKEN_DAYS} days`, { argumentName: 'expiresIn' });
    }
    expiresAt = new Date(now.getTime() + input.expiresInDays * DAY_MS);
  }
  const accounts = distinct(input.accounts);
  if (accounts?.length) {
    const known = await db.find(SellerAccount, { where: { sellerId: In(accounts) }, select: { sellerId: true } });
    const missing = accounts.filter((id) => !known.some((account) => account.sellerId === id));
    if (missing.length) throw badUserInput(`Unknown seller accounts: ${missing.join(', ')}`, { argumentName: 'accounts' });
  }
  const marketplaces = distinct(input.marketplaces);
  if (marketplaces?.length) {
    const known = await db.find(Marketplace, { where: { marketplaceId: In(marketplaces) }, select: { marketplaceId: true } });
    const missing = marketplaces.filter((id) => !known.some((marketplace) => marketplace.marketplaceId === id));
    if (missing.length) throw badUserInput(`Unknown marketplaces: ${missing.join(', ')}`, { argumentName: 'marketplaces' });
  }
  let ipAllowList = distinct(input.ipAllowList);
  if (input.creator && input.creator.kind !== 'operator') {
    requireNoWiderThanCreator(policy, input.creator, { role: input.role, purposes: purposes as Purpose[], categories: categories as Category[] | null, scope: { accounts, marketplaces } });
    if (input.creator.kind === 'token') ({ expiresAt, ipAllowList } = await boundedByCreatorToken(db, input.creator, { expiresAt, ipAllowList, askedExpiry: input.expiresInDays !== null && input.expiresInDays !== undefined }));
  }
  const token = generateTokenSecret();
  const record = db.create(ApiToken, {
    name: input.name?.trim() || `${input.role} token`,
    tokenHash: hashTokenSecret(token),
    role: input.role,
    purposes,
    categories,
    accounts,
    marketplaces,
    partner,
    expiresAt,
    createdBy: input.createdBy,
    lastUsedAt: null,
    revokedAt: null,
    ipAllowList,
  });
  await db.save(record);
  return { token, record };
}

const EFFECT_RANK: Record<GrantEffect, number> = { deny: 0, masked: 1, full: 2 };

/**
 * Refuses (FORBIDDEN) a token wider than its creator: a principal grants only what it holds. The
 * token's role may hold no permission the creator's role lacks and, for each of the token's
 * purposes (which the creator must hold), no grant fuller than the creator's; its categories,
 * accounts and marketplaces lie within the creator's (a creator limited in scope cannot make a
 * token that is not).
 */
export function requireNoWiderThanCreator(policy: Policy, creator: Principal, token: { role: string; purposes: Purpose[]; categories: Category[] | null; scope: RowScope }): void {
  const refuse = widerThanCreator;
  const creatorRole = policy.roles[creator.role];
  const role = policy.roles[token.role];
  if (!creatorRole || creator.partner) throw refuse('the creator holds no role that may grant');
  const permissions = role.permissions.filter((permission) => !creatorRole.permissions.includes(permission));
  if (permissions.length) throw refuse(`role ${token.role} holds permissions ${permissions.join(', ')} the creator does not`);
  const purposes = token.purposes.filter((purpose) => !creator.purposes.includes(purpose));
  if (purposes.length) throw refuse(`the creator may not declare ${purposes.join(', ')}`);
  for (const purpose of token.purposes) {
    const granted = role.grants[purpose];
    const held = creatorRole.grants[purpose];
    const wider = granted && Object.entries(granted).filter(([sensitivity, effect]) => !held || EFFECT_RANK[effect] > EFFECT_RANK[held[sensitivity as keyof typeof held]]);
    if (wider && wider.length) throw refuse(`role ${token.role} grants more under ${purpose} (${wider.map(([sensitivity]) => sensitivity).join(', ')}) than the creator holds`);
  }
  if (creator.categories && (!token.categories || token.categories.some((category) => !creator.categories!.includes(category)))) {
    throw refuse(`its categories must lie within the creator's (${creator.categories.join(', ')})`);
  }
  if (!scopeWithin({ accounts: creator.accounts, marketplaces: creator.marketplaces }, token.scope)) {
    throw refuse('its seller accounts and marketplaces must lie within the creator\'s');
  }
}

function widerThanCreator(what: string) {
  return gatewayError(ErrorCode.FORBIDDEN, `A token cannot be wider than its creator: ${what}. The local operator (\`sellergate token create\`) or a principal holding it can create it`, {
    argumentName: 'input',
    reason: 'WIDER_THAN_CREATOR',
  });
}

/**
 * A token made by a token holds no longer and from no more places than its creator: it expires no
 * later than the creator (an expiry asked beyond the creator's is refused; none asked is the
 * creator's), and it is held to the creator's IP allow-list (none asked: the creator's; one asked
 * must lie within it). Read from the creator's stored record, the authority on both.
 */
async function boundedByCreatorToken(
  db: EntityManager,
  creator: Principal,
  token: { expiresAt: Date | null; ipAllowList: string[] | null; askedExpiry: boolean },
): Promise<{ expiresAt: Date | null; ipAllowList: string[] | null }> {
  const parent = await db.findOne(ApiToken, { where: { id: creator.id }, select: { id: true, expiresAt: true, ipAllowList: true } });
  if (!parent) throw widerThanCreator('the creating token is not on record');
  const parentExpiry = [parent.expiresAt, creator.expiresAt].filter((date): date is Date => date instanceof Date).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;
  let expiresAt = token.expiresAt;
  if (parentExpiry) {
    if (!token.askedExpiry) expiresAt = parentExpiry;
    else if (expiresAt === null || expiresAt.getTime() > parentExpiry.getTime()) {
      throw widerThanCreator(`it would expire after its creator, which expires at ${parentExpiry.toISOString()}: ask for a shorter expiry, or none (the creator's)`);
    }
  }
  let ipAllowList = token.ipAllowList;
  if (parent.ipAllowList) {
    if (ipAllowList === null) ipAllowList = [...parent.ipAllowList];
    else {
      const outside = ipAllowList.filter((ip) => !parent.ipAllowList!.includes(ip));
      if (outside.length) throw widerThanCreator(`its IP allow-list must lie within the creator's (${outside.join(', ')} is not in it)`);
    }
  }
  return { expiresAt, ipAllowList };
}

/** Tokens within `scope` (a principal limited in scope sees the tokens limited to its own), newest first. */
export async function listTokens(db: EntityManager, scope: RowScope): Promise<ApiToken[]> {
  return scopedQuery({ scope }, db, ApiToken, 't').orderBy('t.createdAt', 'DESC').addOrderBy('t.id', 'ASC').getMany();
}

/**
 * Revokes a token within `scope` (one outside it is answered as one that does not exist); from the
 * next request on it authenticates no one. Revoking twice is harmless.
 */
export async function revokeToken(db: EntityManager, id: string, scope: RowScope, now: Date = new Date()): Promise<ApiToken> {
  const valid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
  const record = valid ? await scopedQuery({ scope }, db, ApiToken, 't').andWhere('t.id = :id', { id }).getOne() : null;
  if (!record) throw badUserInput(`No token with id ${id}`, { argumentName: 'id' });
  if (!record.revokedAt) {
    record.revokedAt = now;
    await db.update(ApiToken, { id }, { revokedAt: now });
  }
  return record;
}

/** The principal a token record stands for. */
export function tokenPrincipal(record: ApiToken): Principal {
  return {
    id: record.id,
    kind: 'token',
    name: record.name,
    role: record.role,
    purposes: record.purposes.filter(isPurpose),
    categories: (record.categories as Category[] | null) ?? null,
    accounts: record.accounts,
    marketplaces: record.marketplaces,
    partner: record.partner,
    expiresAt: record.expiresAt,
  };
}

/** One token per role of the policy, for the demo (`.data/demo-tokens.json`): `{ role: token }`. */
export async function createDemoTokens(dataSource: DataSource, policy: Policy = defaultPolicy(), now: Date = new Date()): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const role of Object.keys(policy.roles)) {
    tokens[role] = (await createToken(dataSource.manager, policy, { role, name: `demo ${role}`, createdBy: 'demo' }, now)).token;
  }
  return tokens;
}
