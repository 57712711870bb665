// Access review: every principal (API tokens, and users seen in the audit log) with role,
// purposes, scope, dates and the grants (purposes) it has not used within the review window,
// flagged as candidates for revocation. A reviewer signs the report off; the signed report is kept.
import type { EntityManager } from 'typeorm';
import { AccessReview } from '../../entities/gateway/access-review.entity';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { PrincipalSuspension } from '../../entities/gateway/principal-suspension.entity';
import { IsNull } from 'typeorm';
import { recordUserAction } from '../audit/system-logs';
import type { RowScope } from '../auth/principal';
import { isScoped, scopedQuery, type ScopedContext } from '../db/scoped';
import { config } from '../config';
import { createCredentialVault, type CredentialMetadata } from './credentials/vault';
import type { Policy } from '../policy/policy';
import { neutralizeFormula } from '../csv-safe';

export interface AccessReviewEntry {
  principalId: string;
  kind: 'token' | 'user';
  name: string;
  role: string;
  purposes: string[];
  categories: string[] | null;
  accounts: string[] | null;
  marketplaces: string[] | null;
  partner: boolean;
  /** Token creation, or the first audit record of a user. */
  createdAt: Date | null;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  status: 'active' | 'expired' | 'revoked' | 'suspended';
  /** Granted purposes with no served operation within the window (principal older than the window). */
  unusedPurposes: string[];
  /** Candidate for revocation: an active principal with unused grants. */
  flagged: boolean;
}

export interface AccessReviewReport {
  generatedAt: Date;
  unusedDays: number;
  entries: AccessReviewEntry[];
  flagged: number;
  /** Stored Amazon credentials whose value is older than `credentialMaxAgeDays` (metadata only). */
  staleCredentials: CredentialMetadata[];
  credentialMaxAgeDays: number;
}

interface UsageRow {
  principalId: string;
  purpose: string;
}

interface UserRow {
  principalId: string;
  role: string | null;
  firstSeen: Date;
  lastSeen: Date;
}

/** Builds the report from the token table and the audit log (read-only). */
export async function buildAccessReview(
  manager: EntityManager,
  policy: Policy,
  options: { now?: Date; unusedDays: number; credentialMaxAgeDays?: number; /** The reviewer's row scope: it reviews the tokens and credentials within it (users only when not limited). */ scope: RowScope },
): Promise<AccessReviewReport> {
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - options.unusedDays * 86_400_000);
  const tokens = await scopedQuery({ scope: options.scope }, manager, ApiToken, 't').orderBy('t.createdAt', 'ASC').getMany();
  const suspended = new Set((await manager.find(PrincipalSuspension, { where: { reinstatedAt: IsNull() }, select: { principalId: true } })).map((row) => row.principalId));
  const usage: UsageRow[] = await manager.query(
    // The operation's purpose and those its root fields declared (`@purpose`).
    `SELECT DISTINCT r.principal_id AS "principalId", p.purpose
       FROM audit_record r CROSS JOIN LATERAL unnest(array_append(coalesce(r.purposes, '{}'::text[]), r.purpose)) AS p(purpose)
      WHERE r.timestamp >= $1 AND p.purpose IS NOT NULL AND r.principal_id IS NOT NULL AND r.outcome IN ('ok', 'partial')`,
    [since],
  );
  // A user's scope is not stored: users are reviewed by principals not limited in scope.
  const users: UserRow[] = isScoped({ scope: options.scope })
    ? []
    : await manager.query(
        `SELECT principal_id AS "principalId",
                (array_agg(principal_role ORDER BY id DESC))[1] AS role,
                min(timestamp) AS "firstSeen", max(timestamp) AS "lastSeen"
           FROM audit_record
          WHERE principal_kind = 'user' AND principal_id IS NOT NULL
          GROUP BY principal_id
          ORDER BY principal_id`,
      );
  const used = new Map<string, Set<string>>();
  for (const row of usage) {
    if (!used.has(row.principalId)) used.set(row.principalId, new Set());
    used.get(row.principalId)!.add(row.purpose);
  }
  const unused = (principalId: string, purposes: string[], createdAt: Date | null): string[] =>
    createdAt && createdAt <= since ? purposes.filter((purpose) => !used.get(principalId)?.has(purpose)) : [];

  const entries: AccessReviewEntry[] = [];
  for (const token of tokens) {
    const status: AccessReviewEntry['status'] = token.revokedAt
      ? 'revoked'
      : token.expiresAt && token.expiresAt <= now
        ? 'expired'
        : suspended.has(token.id)
          ? 'suspended'
          : 'active';
    const unusedPurposes = unused(token.id, token.purposes, token.createdAt);
    entries.push({
      principalId: token.id,
      kind: 'token',
      name: token.name,
      role: token.role,
      purposes: token.purposes,
      categories: token.categories,
      accounts: token.accounts,
      marketplaces: token.marketplaces,
      partner: token.partner,
      createdAt: token.createdAt,
      lastUsedAt: token.lastUsedAt,
      expiresAt: token.expiresAt,
      status,
      unusedPurposes,
      flagged: status !== 'revoked' && status !== 'expired' && unusedPurposes.length > 0,
    });
  }
  for (const user of users) {
    const role = user.role ?? 'unknown';
    const purposes = [...(policy.roles[role]?.purposes ?? [])];
    const unusedPurposes = unused(user.principalId, purposes, new Date(user.firstSeen));
    entries.push({
      principalId: user.principalId,
      kind: 'user',
      name: user.principalId,
      role,
      purposes,
      categories: null,
      accounts: null,
      marketplaces: null,
      partner: false,
      createdAt: new Date(user.firstSeen),
      lastUsedAt: new Date(user.lastSeen),
      expiresAt: null,
      status: suspended.has(user.principalId) ? 'suspended' : 'active',
      unusedPurposes,
      flagged: unusedPurposes.length > 0,
    });
  }
  const settings = config();
  const credentialMaxAgeDays = options.credentialMaxAgeDays ?? settings.CREDENTIAL_MAX_AGE_DAYS;
  const staleCredentials = await createCredentialVault({ ...settings, CREDENTIAL_MAX_AGE_DAYS: credentialMaxAgeDays }, () => now).list(manager, { staleOnly: true }, options.scope);
  return { generatedAt: now, unusedDays: options.unusedDays, entries, flagged: entries.filter((entry) => entry.flagged).length, staleCredentials, credentialMaxAgeDays };
}

/**
 * Records the reviewer's sign-off with the report as reviewed. `reviewer` is the admitted principal
 * (`kind:id`), `scope` its row scope: the sign-off covers that scope (company-wide only when not
 * limited), as the report it signs does. `reviewerLabel` is a free-text name kept beside it.
 */
export async function signOffAccessReview(
  manager: EntityManager,
  report: AccessReviewReport,
  signOff: { reviewer: string; scope: RowScope; reviewerLabel?: string | null; note?: string | null; requestId?: string | null; now?: Date },
): Promise<AccessReview> {
  const signedAt = signOff.now ?? new Date();
  const sorted = (values: readonly string[] | null) => (values === null ? null : [...new Set(values)].sort());
  const review = await manager.save(
    manager.create(AccessReview, {
      reviewer: signOff.reviewer.slice(0, 200),
      reviewerLabel: signOff.reviewerLabel?.trim().slice(0, 200) || null,
      scopeAccounts: sorted(signOff.scope.accounts),
      scopeMarketplaces: sorted(signOff.scope.marketplaces),
      signedAt,
      note: signOff.note?.slice(0, 2000) ?? null,
      principals: report.entries.length,
      flagged: report.flagged,
      report: JSON.parse(JSON.stringify(report)) as unknown,
    }),
  );
  await recordUserAction(manager, { actor: signOff.reviewer, action: 'access-review.sign-off', target: review.id, requestId: signOff.requestId ?? null, time: signedAt });
  return review;
}

/**
 * The latest sign-off the caller may see: for a principal not limited in scope, the latest
 * company-wide one (a limited principal's sign-off covers its scope only, and is never shown as
 * the company-wide one); for a limited principal, the latest within its scope (the scoped layer).
 */
export async function lastSignOff(ctx: ScopedContext, manager: EntityManager): Promise<AccessReview | null> {
  const query = scopedQuery(ctx, manager, AccessReview, 'r')
    .select(['r.id', 'r.reviewer', 'r.reviewerLabel', 'r.scopeAccounts', 'r.scopeMarketplaces', 'r.signedAt', 'r.note', 'r.principals', 'r.flagged'])
    .orderBy('r.signedAt', 'DESC')
    .addOrderBy('r.id', 'DESC')
    .limit(1);
  if (!isScoped(ctx)) query.andWhere('r.scopeAccounts IS NULL AND r.scopeMarketplaces IS NULL');
  return query.getOne();
}

const CSV_COLUMNS: (keyof AccessReviewEntry)[] = [
  'principalId',
  'kind',
  'name',
  'role',
  'purposes',
  'categories',
  'accounts',
  'marketplaces',
  'partner',
  'createdAt',
  'lastUsedAt',
  'expiresAt',
  'status',
  'unusedPurposes',
  'flagged',
];

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : Array.isArray(value) ? value.join(';') : String(value);
  // Quote always; never a spreadsheet formula.
  return `"${neutralizeFormula(text).replace(/"/g, '""')}"`;
}

export function accessReviewCsv(report: AccessReviewReport): string {
  const lines = [CSV_COLUMNS.join(','), ...report.entries.map((entry) => CSV_COLUMNS.map((column) => csvCell(entry[column])).join(','))];
  return `${lines.join('\n')}\n`;
}
