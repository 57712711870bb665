// Data deletion requests (the data policy's deletion process): RECEIVED -> APPROVED | REJECTED
// (by an administrator or compliance, with a reason) -> EXECUTED. Execution deletes everything in
// scope in one transaction, derived rows that still identify it included, refuses while a legal
// hold covers any of it, and issues a signed certificate that outlives the data. Afterwards the
// request and certificate hold keyed digests of the scope, never the ids themselves; the audit
// log (and user actions) keep that it happened.
import { createHmac } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DeletionCertificate } from '../../entities/gateway/deletion-certificate.entity';
import { DeletionRequest, type DeletionRequestSource, type DeletionRequestState } from '../../entities/gateway/deletion-request.entity';
import { recordUserAction } from '../audit/system-logs';
import type { RowScope } from '../auth/principal';
import { requireWithinScope, scopedQuery } from '../db/scoped';
import { badUserInput } from '../errors';
import { canonicalJson } from '../policy/policy';
import type { ActingPrincipal } from './legal-hold.service';
import { deleteScope, heldScope, type DeletionScope } from './deletion-scope';
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

/** A request within `scope`; one outside it is answered as one that does not exist. */
export async function findDeletionRequest(manager: EntityManager, id: string, scope: RowScope, lock = false): Promise<DeletionRequest> {
  const query = scopedQuery({ scope }, manager, DeletionRequest, 'r').andWhere('r.id = :id', { id });
  if (lock) query.setLock('pessimistic_write');
  const request = /^[0-9a-f-]{36}$/i.test(id) ? await query.getOne() : null;
  if (!request) throw badUserInput(`No deletion request ${id}`, { argumentName: 'id' });
  return request;
}

/** APPROVED or REJECTED, from RECEIVED only, with a reason. */
export async function decideDeletionRequest(manager: EntityManager, id: string, decision: 'APPROVED' | 'REJECTED', reason: string, by: ActingPrincipal): Promise<DeletionRequest> {
  if (!reason?.trim()) throw badUserInput('A decision on a deletion request needs a reason', { argumentName: 'reason' });
  const request = await findDeletionRequest(manager, id, by.scope, true);
  if (request.state !== 'RECEIVED') throw badUserInput(`Deletion request ${id} is ${request.state}: only a RECEIVED request can be approved or rejected`, { argumentName: 'id', state: request.state });
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
export async function executeDeletionRequest(manager: EntityManager, id: string, by: ActingPrincipal, keys: CertificateKeys): Promise<DeletionCertificate> {
  const request = await findDeletionRequest(manager, id, by.scope, true);
  if (request.state !== 'APPROVED') throw badUserInput(`Deletion request ${id} is ${request.state}: only an APPROVED request can be executed`, { argumentName: 'id', state: request.state });
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

/** Whether an order id (or account) is one a certificate covers: the digest is recomputed. */
export function certificateCovers(certificate: DeletionCertificate, key: string, kind: 'order' | 'account', value: string): boolean {
  return certificate.scopeDigests.includes(scopeDigest(key, kind, value));
}
