// Data deletion requests (the data policy's deletion process): RECEIVED -> APPROVED | REJECTED
// (by an administrator or compliance, with a reason) -> EXECUTED. Execution deletes everything in
// scope in one transaction, derived rows that still identify it included, refuses while a legal
// hold covers any of it, and issues a signed certificate that outlives the data. Afterwards the
// request and certificate hold keyed digests of the scope, never the ids themselves; the audit
// log (and user actions) keep that it happened.
import { createHmac } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DeletionCertificate } from '../../entities/gateway/deletion-certificate.entity';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { DeletionRequest, type DeletionRequestSource, type DeletionRequestState } from '../../entities/gateway/deletion-request.entity';
import { recordUserAction } from '../audit/system-logs';
import type { RowScope } from '../auth/principal';
import { requireWithinScope, scopedQuery } from '../db/scoped';
import { badUserInput, ErrorCode, gatewayError } from '../errors';
import { canonicalJson } from '../policy/policy';
import type { ActingPrincipal } from './legal-hold.service';
import { deleteScope, existingScope, heldScope, type DeletionScope } from './deletion-scope';
import { accountReach, ordersReach } from './scope-reach';

export interface DeletionScopeInput {
  /** Limit to (or, without order ids, delete everything of) this seller account. */
  account?: string | null;
  amazonOrderIds?: string[] | null;
}

export interface RequestDeletionInput {
  scope: DeletionScopeInput;
  reason: string;
  requester: string;
  source?: DeletionRequestSource;
}

export interface DeletionSettings {
  dueDays: number;
  amazonDueHours: number;
}

/** What the policy in force says about deletion (`deletion` in the policy document). */
export interface DeletionDuties {
  /** The approver differs from the requester, the executor from the approver. */
  separationOfDuties: boolean;
}

export interface CertificateKeys {
  /** Keyed digests of the scope (the PSEUDONYM key). */
  digestKey: string;
  /** Signs the certificate (AUDIT_CHECKPOINT_KEY when set, else the digest key). */
  signingKey: string;
}

const HOUR = 3_600_000;

export function isOverdue(request: DeletionRequest, now: Date): boolean {
  return (request.state === 'RECEIVED' || request.state === 'APPROVED') && request.dueAt < now;
}

function scopeOf(request: DeletionRequest): DeletionScope {
  return request.scopeOrderIds.length > 0 ? { kind: 'ORDERS', orderIds: request.scopeOrderIds, account: request.scopeAccountId } : { kind: 'ACCOUNT', account: request.scopeAccountId!, orderIds: [] };
}

export function scopeDigest(key: string, kind: 'order' | 'account', value: string): string {
  return createHmac('sha256', key).update(`${kind}:${value}`).digest('hex');
}

export async function requestDeletion(manager: EntityManager, input: RequestDeletionInput, by: ActingPrincipal, settings: DeletionSettings): Promise<DeletionRequest> {
  const orderIds = [...new Set((input.scope.amazonOrderIds ?? []).map((id) => id.trim()).filter(Boolean))];
  let account = input.scope.account?.trim() || null;
  if (orderIds.length === 0 && !account) throw badUserInput('A deletion request names order ids or an account', { argumentName: 'scope' });
  if (orderIds.length > 1000) throw badUserInput('At most 1000 order ids per deletion request', { argumentName: 'scope' });
  if (!input.reason?.trim()) throw badUserInput('A deletion request needs a reason', { argumentName: 'reason' });
  if (!input.requester?.trim()) throw badUserInput('A deletion request names its requester', { argumentName: 'requester' });
  const source = input.source ?? 'COMPANY';
  // What it reaches, within the requester's scope (src/retention/scope-reach.ts).
  let reach: RowScope;
  if (orderIds.length > 0) ({ account, reach } = await ordersReach(manager, by.scope, orderIds, account));
  else reach = await accountReach(manager, account!);
  requireWithinScope(by, reach, 'The deletion request');
  // Only data that exists, looked for within the scope just checked (a principal limited in scope
  // has had every named order found among its own, so this reveals nothing beyond it).
  // A request from the public Data Deletion page is not checked now: its answer would tell anyone
  // whether an order exists. Compliance verifies it, and approval checks the data (below).
  if (source !== 'PUBLIC_FORM') await requireExistingData(manager, orderIds, account);
  const dueAt = new Date(by.now.getTime() + (source === 'AMAZON' ? settings.amazonDueHours * HOUR : settings.dueDays * 24 * HOUR));
  const request = await manager.save(
    manager.create(DeletionRequest, {
      state: 'RECEIVED',
      source,
      scopeAccountId: account,
      scopeOrderIds: orderIds,
      scopeDigests: [],
      scopeAccounts: reach.accounts ? [...reach.accounts] : null,
      scopeMarketplaces: reach.marketplaces ? [...reach.marketplaces] : null,
      reason: input.reason.trim().slice(0, 1000),
      requester: input.requester.trim().slice(0, 200),
      receivedBy: by.actor,
      receivedAt: by.now,
      dueAt,
    }),
  );
  await recordUserAction(manager, { actor: by.actor, action: 'deletion.request', target: request.id, requestId: by.requestId, time: by.now });
  return request;
}

/**
 * Refuses a request naming data that does not exist (BAD_USER_INPUT). Called after the row-scope
 * check, so a principal limited in scope has had every named order found among its own already
 * and learns nothing here about data beyond it.
 */
async function requireExistingData(manager: EntityManager, orderIds: string[], account: string | null): Promise<void> {
  const scope: DeletionScope = orderIds.length > 0 ? { kind: 'ORDERS', orderIds, account } : { kind: 'ACCOUNT', account: account!, orderIds: [] };
  const found = await existingScope(manager, scope);
  if (scope.kind === 'ORDERS') {
    // Positions, not the ids: error messages may be logged, and order ids are identifiers.
    const missing = orderIds.flatMap((orderId, index) => (found.orderIds.includes(orderId) ? [] : [index + 1]));
    if (missing.length > 0) {
      throw badUserInput(
        `${missing.length} of ${orderIds.length} order id(s) match no data${account ? ' of that account' : ''} (position${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of the list, duplicates removed). A deletion request names data that exists.`,
        { argumentName: 'scope', missing: missing.length },
      );
    }
  } else if (!found.accountHasRows) {
    throw badUserInput('The account has no data to delete. A deletion request names data that exists.', { argumentName: 'scope' });
  }
}

const TOKEN_ID = /^(?:token:)?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * Who stands behind an actor: the actor itself and, for a token, the principal that created it
 * (and that principal's creator, for a token made by a token). One person with two tokens is one
 * party. Creators that are no principal (e.g. `demo`) add nothing.
 */
async function partiesOf(manager: EntityManager, actor: string): Promise<Set<string>> {
  const parties = new Set<string>();
  let current: string | null = actor;
  for (let depth = 0; current && depth < 8 && !parties.has(current); depth += 1) {
    parties.add(current);
    const token = TOKEN_ID.exec(current);
    if (!token) break;
    parties.add(`token:${token[1]!.toLowerCase()}`);
    const record: Pick<ApiToken, 'createdBy'> | null = await manager.findOne(ApiToken, { where: { id: token[1]!.toLowerCase() }, select: { createdBy: true } });
    const creator = record?.createdBy ?? null;
    current = creator && /^(user|token|operator):|^cli:|^[0-9a-f]{8}-/i.test(creator) ? creator.replace(/^operator:/, '') : null;
  }
  return parties;
}

async function sameParty(manager: EntityManager, a: string, b: string): Promise<boolean> {
  const [left, right] = await Promise.all([partiesOf(manager, a), partiesOf(manager, b)]);
  return [...left].some((party) => right.has(party));
}

function separationRefused(message: string, step: string): never {
  throw gatewayError(ErrorCode.FORBIDDEN, `${message} (separation of duties: deletion.separationOfDuties in the access policy)`, { rule: 'SEPARATION_OF_DUTIES', step });
}

/** A request within `scope`; one outside it is answered as one that does not exist. */
export async function findDeletionRequest(manager: EntityManager, id: string, scope: RowScope, lock = false): Promise<DeletionRequest> {
  const query = scopedQuery({ scope }, manager, DeletionRequest, 'r').andWhere('r.id = :id', { id });
  if (lock) query.setLock('pessimistic_write');
  const request = /^[0-9a-f-]{36}$/i.test(id) ? await query.getOne() : null;
  if (!request) throw badUserInput(`No deletion request ${id}`, { argumentName: 'id' });
  return request;
}

/** APPROVED or REJECTED, from RECEIVED only, with a reason. */
export async function decideDeletionRequest(
  manager: EntityManager,
  id: string,
  decision: 'APPROVED' | 'REJECTED',
  reason: string,
  by: ActingPrincipal,
  duties: DeletionDuties,
): Promise<DeletionRequest> {
  if (!reason?.trim()) throw badUserInput('A decision on a deletion request needs a reason', { argumentName: 'reason' });
  const request = await findDeletionRequest(manager, id, by.scope, true);
  if (request.state !== 'RECEIVED') throw badUserInput(`Deletion request ${id} is ${request.state}: only a RECEIVED request can be approved or rejected`, { argumentName: 'id', state: request.state });
  // Rejecting one's own request undoes nothing; approving it would let one party both ask and decide.
  if (decision === 'APPROVED' && duties.separationOfDuties && (await sameParty(manager, request.receivedBy, by.actor))) {
    separationRefused(`Deletion request ${id} was filed by this principal (or by the principal behind this token): another principal approves it`, 'approve');
  }
  if (decision === 'APPROVED' && request.source === 'PUBLIC_FORM') await requireExistingData(manager, request.scopeOrderIds, request.scopeAccountId);
  request.state = decision;
  request.decidedBy = by.actor;
  request.decidedAt = by.now;
  request.decisionReason = reason.trim().slice(0, 1000);
  await manager.save(request);
  await recordUserAction(manager, { actor: by.actor, action: decision === 'APPROVED' ? 'deletion.approve' : 'deletion.reject', target: request.id, requestId: by.requestId, time: by.now });
  return request;
}

function signatureOf(certificate: Omit<DeletionCertificate, 'id' | 'signature'>, key: string): string {
  const statement = { ...certificate, issuedAt: certificate.issuedAt.toISOString() };
  return createHmac('sha256', key).update(canonicalJson(statement)).digest('hex');
}

export function certificateSignatureValid(certificate: DeletionCertificate, key: string): boolean {
  const { id: _id, signature, ...rest } = certificate;
  return signatureOf({ ...rest, issuedAt: new Date(rest.issuedAt) }, key) === signature.trim();
}

/**
 * Executes an APPROVED request in the caller's transaction: refuses (naming the holds) while a
 * legal hold covers anything in scope; otherwise deletes, erases the scope from the request and
 * returns the certificate.
 */
export async function executeDeletionRequest(manager: EntityManager, id: string, by: ActingPrincipal, keys: CertificateKeys, duties: DeletionDuties): Promise<DeletionCertificate> {
  const request = await findDeletionRequest(manager, id, by.scope, true);
  if (request.state !== 'APPROVED') throw badUserInput(`Deletion request ${id} is ${request.state}: only an APPROVED request can be executed`, { argumentName: 'id', state: request.state });
  if (duties.separationOfDuties && request.decidedBy && (await sameParty(manager, request.decidedBy, by.actor))) {
    separationRefused(`Deletion request ${id} was approved by this principal (or by the principal behind this token): another principal executes it`, 'execute');
  }
  const scope = scopeOf(request);
  const holds = await heldScope(manager, scope, by.now);
  if (holds.length > 0) {
    throw badUserInput(`Deletion request ${id} is blocked by legal hold ${holds.join(', ')}: it can be executed once the hold is released or ends`, { argumentName: 'id', holds });
  }
  const counts = await deleteScope(manager, scope, by.scope);
  const digests =
    scope.kind === 'ORDERS'
      ? [...scope.orderIds.map((orderId) => scopeDigest(keys.digestKey, 'order', orderId)), ...(scope.account ? [scopeDigest(keys.digestKey, 'account', scope.account)] : [])]
      : [scopeDigest(keys.digestKey, 'account', scope.account!)];
  request.state = 'EXECUTED';
  request.executedBy = by.actor;
  request.executedAt = by.now;
  request.scopeDigests = digests;
  request.scopeOrderIds = [];
  request.scopeAccountId = null;
  await manager.save(request);
  const body = {
    requestId: request.id,
    issuedAt: by.now,
    executedBy: by.actor,
    scopeKind: scope.kind,
    scopeDigests: digests,
    counts,
    totalRows: Object.values(counts).reduce((sum, n) => sum + n, 0),
  };
  const certificate = await manager.save(manager.create(DeletionCertificate, { ...body, signature: signatureOf(body, keys.signingKey) }));
  await recordUserAction(manager, { actor: by.actor, action: 'deletion.execute', target: request.id, requestId: by.requestId, time: by.now });
  return certificate;
}

export async function listDeletionRequests(
  manager: EntityManager,
  options: { state?: DeletionRequestState | null; overdue?: boolean | null; now: Date; scope: RowScope },
): Promise<DeletionRequest[]> {
  const query = scopedQuery(options, manager, DeletionRequest, 'r').orderBy('r.receivedAt', 'DESC');
  if (options.state) query.andWhere('r.state = :state', { state: options.state });
  const requests = await query.getMany();
  return options.overdue === undefined || options.overdue === null ? requests : requests.filter((request) => isOverdue(request, options.now) === options.overdue);
}

/** The certificate of a request within `scope`. */
export async function findCertificate(manager: EntityManager, requestId: string, scope: RowScope): Promise<DeletionCertificate | null> {
  if (!/^[0-9a-f-]{36}$/i.test(requestId)) return null;
  const request = await scopedQuery({ scope }, manager, DeletionRequest, 'r').andWhere('r.id = :requestId', { requestId }).getOne();
  return request ? manager.findOneBy(DeletionCertificate, { requestId }) : null;
}

export interface CertificateVerification {
  valid: boolean;
  /** Why it is not valid (empty when valid); never data values. */
  problems: string[];
  requestId: string | null;
  totalRows: number | null;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** A certificate's counts as printed by the CLI (`{table: rows}`) or GraphQL (`[{table, rows}]`). */
function countsOf(value: unknown): Record<string, number> | null {
  const entries: [unknown, unknown][] = Array.isArray(value)
    ? value.map((item) => [(item as { table?: unknown })?.table, (item as { rows?: unknown })?.rows])
    : value && typeof value === 'object'
      ? Object.entries(value)
      : [];
  if (!Array.isArray(value) && !(value && typeof value === 'object')) return null;
  const counts: Record<string, number> = {};
  for (const [table, rows] of entries) {
    if (typeof table !== 'string' || typeof rows !== 'number' || !Number.isInteger(rows) || rows < 0 || table in counts) return null;
    counts[table] = rows;
  }
  return counts;
}

/**
 * Checks a certificate as a file holds it (JSON from `deletion execute|certificate --json` or from
 * GraphQL): its fields, its signature (HMAC-SHA256 with the signing key), that its total is the sum
 * of its counts, and that it is the certificate the gateway issued for an executed request with
 * the same scope digests.
 */
export async function verifyCertificate(manager: EntityManager, text: string, keys: CertificateKeys): Promise<CertificateVerification> {
  const invalid = (problems: string[], requestId: string | null = null, totalRows: number | null = null): CertificateVerification => ({ valid: false, problems, requestId, totalRows });
  let parsed: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return invalid(['not a certificate: a JSON object is expected']);
    parsed = value as Record<string, unknown>;
  } catch {
    return invalid(['not a certificate: the text is not JSON']);
  }
  const requestId = typeof parsed.requestId === 'string' && /^[0-9a-f-]{36}$/i.test(parsed.requestId) ? parsed.requestId : null;
  const issuedAt = typeof parsed.issuedAt === 'string' ? new Date(parsed.issuedAt) : null;
  const counts = countsOf(parsed.counts);
  const digests = Array.isArray(parsed.scopeDigests) && parsed.scopeDigests.every((d) => typeof d === 'string' && HEX64.test(d)) ? (parsed.scopeDigests as string[]) : null;
  const totalRows = typeof parsed.totalRows === 'number' && Number.isInteger(parsed.totalRows) ? parsed.totalRows : null;
  const problems: string[] = [];
  if (!requestId) problems.push('requestId is missing or not a request id');
  if (!issuedAt || Number.isNaN(issuedAt.getTime())) problems.push('issuedAt is missing or not a time');
  if (typeof parsed.executedBy !== 'string') problems.push('executedBy is missing');
  if (parsed.scopeKind !== 'ORDERS' && parsed.scopeKind !== 'ACCOUNT') problems.push('scopeKind is neither ORDERS nor ACCOUNT');
  if (!digests) problems.push('scopeDigests is missing or holds something other than digests');
  if (!counts) problems.push('counts is missing or malformed');
  if (totalRows === null) problems.push('totalRows is missing');
  if (typeof parsed.signature !== 'string' || !HEX64.test(parsed.signature.trim())) problems.push('signature is missing or malformed');
  if (problems.length > 0) return invalid(problems, requestId, totalRows);
  const body = { requestId: requestId!, issuedAt: issuedAt!, executedBy: parsed.executedBy as string, scopeKind: parsed.scopeKind as string, scopeDigests: digests!, counts: counts!, totalRows: totalRows! };
  if (signatureOf(body, keys.signingKey) !== (parsed.signature as string).trim()) {
    problems.push('the signature does not match the contents: the certificate was changed, or signed with another key');
  }
  const sum = Object.values(counts!).reduce((total, n) => total + n, 0);
  if (sum !== totalRows) problems.push(`totalRows ${totalRows} is not the sum of the counts (${sum})`);
  const issued = await manager.findOneBy(DeletionCertificate, { requestId: requestId! });
  if (!issued) {
    problems.push(`no certificate was issued for deletion request ${requestId}`);
  } else if (issued.signature.trim() !== (parsed.signature as string).trim() || canonicalJson(issued.counts) !== canonicalJson(counts) || issued.totalRows !== totalRows) {
    problems.push(`it differs from the certificate issued for deletion request ${requestId}`);
  }
  const request = await manager.findOneBy(DeletionRequest, { id: requestId! });
  if (!request || request.state !== 'EXECUTED') {
    problems.push(`deletion request ${requestId} is ${request ? request.state : 'unknown'}, not EXECUTED`);
  } else if (canonicalJson([...request.scopeDigests].sort()) !== canonicalJson([...digests!].sort())) {
    problems.push(`its scope digests differ from those of deletion request ${requestId}`);
  }
  return { valid: problems.length === 0, problems, requestId, totalRows };
}

/** Whether an order id (or account) is one a certificate covers: the digest is recomputed. */
export function certificateCovers(certificate: DeletionCertificate, key: string, kind: 'order' | 'account', value: string): boolean {
  return certificate.scopeDigests.includes(scopeDigest(key, kind, value));
}
