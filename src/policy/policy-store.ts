// Applied access policies: `sellergate policy apply` stores a validated document as a new
// revision (append-only table `policy_revision`), and every gateway process switches to the
// newest revision within a second (src/policy/policy-holder.ts). Precedence of the policy in
// force: the newest applied revision, else POLICY_FILE, else the shipped default.
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { PolicyRevision } from '../../entities/gateway/policy-revision.entity';
import { recordUserAction } from '../audit/system-logs';
import type { Config } from '../config';
import { loadPolicy } from './load-policy';
import { canonicalJson, parsePolicy, type Policy } from './policy';

/** Where the policy in force comes from. */
export type PolicyOrigin =
  | { kind: 'database'; revisionId: string; appliedBy: string; appliedAt: Date; file: string | null }
  | { kind: 'file'; file: string }
  | { kind: 'default' };

export interface PolicyInForce {
  policy: Policy;
  origin: PolicyOrigin;
}

/** A policy refused by `policy apply` for a reason other than its content (e.g. a reused label). */
export class PolicyConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyConflictError';
  }
}

/** One line saying where the policy in force comes from. */
export function describeOrigin(origin: PolicyOrigin): string {
  switch (origin.kind) {
    case 'database':
      return `applied revision ${origin.revisionId} (by ${origin.appliedBy} at ${origin.appliedAt.toISOString()}${origin.file ? ` from ${origin.file}` : ''})`;
    case 'file':
      return `POLICY_FILE ${origin.file} (no policy applied with \`policy apply\`)`;
    default:
      return 'the shipped default (no POLICY_FILE, no policy applied with `policy apply`)';
  }
}

/**
 * What changes from `before` to `after`, one line per change (roles, their purposes, permissions
 * and introspection, every grant effect, category purposes, k), for the operator to review.
 */
export function policyChanges(before: Policy, after: Policy): string[] {
  const changes: string[] = [];
  const list = (values: readonly string[]) => (values.length ? values.join(', ') : 'none');
  const added = (from: readonly string[], to: readonly string[]) => to.filter((value) => !from.includes(value));
  if (before.aggregates.k !== after.aggregates.k) changes.push(`aggregates.k: ${before.aggregates.k} -> ${after.aggregates.k}`);
  const derivation = (d: Policy['derivations'][number]) => `${d.protects} from ${d.from.join(', ')}`;
  const fromDerivations = before.derivations.map(derivation);
  const toDerivations = after.derivations.map(derivation);
  for (const removed of added(toDerivations, fromDerivations)) changes.push(`derivations: removed ${removed}`);
  for (const addedOne of added(fromDerivations, toDerivations)) changes.push(`derivations: added ${addedOne}`);
  if (before.deletion.separationOfDuties !== after.deletion.separationOfDuties) {
    changes.push(`deletion.separationOfDuties: ${before.deletion.separationOfDuties} -> ${after.deletion.separationOfDuties}`);
  }
  for (const category of new Set([...Object.keys(before.categories), ...Object.keys(after.categories)])) {
    const from = before.categories[category as keyof Policy['categories']] ?? [];
    const to = after.categories[category as keyof Policy['categories']] ?? [];
    if (added(from, to).length || added(to, from).length) changes.push(`categories.${category}: ${list(from)} -> ${list(to)}`);
  }
  for (const name of new Set([...Object.keys(before.roles), ...Object.keys(after.roles)])) {
    const from = before.roles[name];
    const to = after.roles[name];
    if (!from) {
      changes.push(`roles.${name}: added (purposes ${list(to.purposes)})`);
      continue;
    }
    if (!to) {
      changes.push(`roles.${name}: removed (its tokens and users are refused)`);
      continue;
    }
    if (added(from.purposes, to.purposes).length || added(to.purposes, from.purposes).length) changes.push(`roles.${name}.purposes: ${list(from.purposes)} -> ${list(to.purposes)}`);
    if (added(from.permissions, to.permissions).length || added(to.permissions, from.permissions).length) {
      changes.push(`roles.${name}.permissions: ${list(from.permissions)} -> ${list(to.permissions)}`);
    }
    if (from.introspection !== to.introspection) changes.push(`roles.${name}.introspection: ${from.introspection} -> ${to.introspection}`);
    for (const purpose of to.purposes) {
      const fromGrant = from.grants[purpose];
      const toGrant = to.grants[purpose];
      if (!fromGrant || !toGrant) continue;
      for (const [sensitivity, effect] of Object.entries(toGrant)) {
        const previous = fromGrant[sensitivity as keyof typeof fromGrant];
        if (previous !== effect) changes.push(`roles.${name}.grants.${purpose}.${sensitivity}: ${previous} -> ${effect}`);
      }
    }
  }
  return changes;
}

/** The operator's label of a version (`<label>+<hash>`), or null for a bare hash. */
export function labelOf(version: string): string | null {
  const plus = version.lastIndexOf('+');
  return plus > 0 ? version.slice(0, plus) : null;
}

/** The validated document of a policy (defaults filled in), as stored and enforced. */
export function policyDocument(policy: Policy): Record<string, unknown> {
  const { version, ...content } = policy;
  const label = labelOf(version);
  return label ? { version: label, ...content } : content;
}

export function policySha256(policy: Policy): string {
  return createHash('sha256').update(canonicalJson(policyDocument(policy))).digest('hex');
}

/** The policy of a stored revision (validated again: the code enforcing it may be newer). */
export function policyOfRevision(revision: PolicyRevision): Policy {
  return parsePolicy(revision.document, `policy revision ${revision.id}`);
}

export function originOfRevision(revision: PolicyRevision): PolicyOrigin {
  return { kind: 'database', revisionId: String(revision.id), appliedBy: revision.appliedBy, appliedAt: revision.appliedAt, file: revision.source };
}

/** The policy below the applied revisions: POLICY_FILE, else the shipped default. */
export function baselinePolicy(config: Pick<Config, 'POLICY_FILE'>): PolicyInForce {
  return { policy: loadPolicy(config), origin: config.POLICY_FILE ? { kind: 'file', file: config.POLICY_FILE } : { kind: 'default' } };
}

export async function latestRevision(manager: EntityManager): Promise<PolicyRevision | null> {
  return manager.getRepository(PolicyRevision).findOne({ where: {}, order: { id: 'DESC' } });
}

/** Id of the newest revision (cheap: what every process polls), or null when none was applied. */
export async function latestRevisionId(manager: EntityManager): Promise<string | null> {
  const rows = (await manager.query('SELECT max(id)::text AS id FROM policy_revision')) as { id: string | null }[];
  return rows[0]?.id ?? null;
}

/** Newest first. */
export async function policyHistory(manager: EntityManager, limit = 50): Promise<PolicyRevision[]> {
  return manager.getRepository(PolicyRevision).find({ order: { id: 'DESC' }, take: limit });
}

/** The policy in force: the newest applied revision, else `baseline` (POLICY_FILE or the default). */
export async function policyInForce(manager: EntityManager, baseline: PolicyInForce | Pick<Config, 'POLICY_FILE'>): Promise<PolicyInForce> {
  const revision = await latestRevision(manager);
  if (revision) return { policy: policyOfRevision(revision), origin: originOfRevision(revision) };
  return 'policy' in baseline ? baseline : baselinePolicy(baseline);
}

export interface ApplyResult {
  /** `applied`: a new revision is in force; `unchanged`: this content already was; `checked`: dry run, would apply. */
  status: 'applied' | 'unchanged' | 'checked';
  policy: Policy;
  revision: PolicyRevision | null;
  /** The policy in force before. */
  previous: Policy;
}

export interface ApplyOptions {
  /** `cli:<os user>` or a principal. */
  appliedBy: string;
  /** File name, shown in the history. */
  source?: string | null;
  /** The policy below the revisions (POLICY_FILE or the default), for the label check and the report. */
  baseline: PolicyInForce;
  now?: Date;
  /** Validate and check against the history only; store nothing. */
  dryRun?: boolean;
}

/**
 * Validates `document` (same rules as POLICY_FILE; PolicyValidationError names every bad entry)
 * and stores it as the newest revision with an administrative action record, in one transaction.
 * A label (`version`) names one content only: reusing it for different content is refused.
 * Publishing the change to the gateway processes is the caller's (after the commit).
 */
export async function applyPolicy(dataSource: DataSource, document: unknown, options: ApplyOptions): Promise<ApplyResult> {
  const policy = parsePolicy(document, options.source ?? 'policy');
  const sha256 = policySha256(policy);
  const label = labelOf(policy.version);
  const now = options.now ?? new Date();
  return dataSource.transaction(async (manager) => {
    // One apply at a time, so the label check and the newest revision cannot race.
    await manager.query('LOCK TABLE policy_revision IN EXCLUSIVE MODE');
    const latest = await latestRevision(manager);
    // A newest revision this code cannot read (written by another release) is replaced; the
    // changes are then listed against the baseline.
    let current = options.baseline;
    let readable = true;
    if (latest) {
      try {
        current = { policy: policyOfRevision(latest), origin: originOfRevision(latest) };
      } catch {
        readable = false;
      }
    }
    // Only an applied revision makes an apply redundant: applying the policy of this command's
    // POLICY_FILE (or the default) stores it, so that every process follows it, whatever its file.
    if (latest && readable && current.policy.version === policy.version) {
      return { status: 'unchanged' as const, policy, revision: latest, previous: current.policy };
    }
    if (label) {
      const sameLabel = await manager.getRepository(PolicyRevision).findOne({ where: { label }, order: { id: 'DESC' } });
      if (sameLabel && sameLabel.sha256 !== sha256) {
        throw new PolicyConflictError(
          `Policy version "${label}" was already applied with different content (revision ${sameLabel.id}, ${sameLabel.version}, by ${sameLabel.appliedBy} at ${sameLabel.appliedAt.toISOString()}); give the changed policy a new "version"`,
        );
      }
      const baselineLabel = labelOf(options.baseline.policy.version);
      if (!sameLabel && baselineLabel === label && options.baseline.policy.version !== policy.version) {
        const where = options.baseline.origin.kind === 'file' ? `POLICY_FILE ${options.baseline.origin.file}` : 'the shipped default policy';
        throw new PolicyConflictError(`Policy version "${label}" is the version of ${where} with different content (${options.baseline.policy.version}); give the changed policy a new "version"`);
      }
    }
    if (options.dryRun) return { status: 'checked' as const, policy, revision: null, previous: current.policy };
    const inserted = await manager.getRepository(PolicyRevision).save(
      manager.getRepository(PolicyRevision).create({
        version: policy.version,
        label,
        document: policyDocument(policy),
        sha256,
        appliedBy: options.appliedBy.slice(0, 200),
        appliedAt: now,
        source: options.source?.slice(0, 500) ?? null,
      }),
    );
    await recordUserAction(manager, { actor: options.appliedBy, action: 'policy.apply', target: `${policy.version} (revision ${inserted.id})`, time: now });
    return { status: 'applied' as const, policy, revision: inserted, previous: current.policy };
  });
}
