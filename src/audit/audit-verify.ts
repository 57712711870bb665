// Walks the hash chain in id order and names the first record that was changed, removed or
// inserted out of order. Signed checkpoints are checked on the way (and catch a removed tail);
// verification can start after a checkpoint instead of at the beginning.
import type { EntityManager } from 'typeorm';
import { AuditCheckpoint } from '../../entities/gateway/audit-checkpoint.entity';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';
import { checkpointSignatureValid } from './audit-checkpoint';
import { hashContent } from './audit-entry';
import { chainBase, type ChainHead } from './audit-head';

export type ChainProblemKind = 'changed' | 'removed' | 'inserted' | 'checkpoint' | 'unlinked';

export interface ChainProblem {
  /** The record named: the first one changed, missing, or inserted. */
  id: string;
  kind: ChainProblemKind;
  message: string;
}

export interface VerifyOptions {
  /** First record id to check (its predecessor's stored hash is taken as the starting point). */
  from?: string | number;
  /** Last record id to check (default: the head when verification starts). */
  to?: string | number;
  /** Start after the latest checkpoint whose signature is valid (needs `key`). */
  fromCheckpoint?: boolean;
  /** AUDIT_CHECKPOINT_KEY: checkpoint signatures are checked when it is given. */
  key?: string | null;
  pageSize?: number;
  /**
   * Federation: a subgraph's record of data it served must have its gateway's record (same
   * request id). The gateway writes its record after the subgraphs answered, so records younger
   * than this are not checked yet (default 60 s).
   */
  unlinkedGraceMs?: number;
}

export interface VerifyResult {
  ok: boolean;
  /** Records checked. */
  checked: number;
  firstId: string | null;
  lastId: string | null;
  lastHash: string | null;
  checkpointsChecked: number;
  problem: ChainProblem | null;
}

async function startingPoint(manager: EntityManager, options: VerifyOptions): Promise<{ base: ChainHead; problem: ChainProblem | null }> {
  if (options.fromCheckpoint) {
    if (!options.key) throw new Error('Starting from a checkpoint needs AUDIT_CHECKPOINT_KEY');
    const checkpoints = await manager.find(AuditCheckpoint, { order: { headId: 'DESC', id: 'DESC' }, take: 50 });
    const to = options.to === undefined ? null : BigInt(options.to);
    const trusted = checkpoints.find((cp) => checkpointSignatureValid(options.key!, cp) && (to === null || BigInt(cp.headId) <= to));
    if (trusted) return { base: { id: String(trusted.headId), hash: trusted.headHash.trim() }, problem: null };
  }
  if (options.from !== undefined && BigInt(options.from) > 1n) {
    const previous = await manager
      .createQueryBuilder(AuditRecord, 'r')
      .where('r.id < :from', { from: String(options.from) })
      .orderBy('r.id', 'DESC')
      .limit(1)
      .getOne();
    if (previous) return { base: { id: String(previous.id), hash: previous.hash.trim() }, problem: null };
  }
  return { base: await chainBase(manager), problem: null };
}

export async function verifyChain(manager: EntityManager, options: VerifyOptions = {}): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 2000;
  const { base } = await startingPoint(manager, options);
  const headRows: { id: string | null }[] = await manager.query('SELECT max(id)::text AS id FROM audit_record');
  const to = options.to !== undefined ? BigInt(options.to) : headRows[0]?.id ? BigInt(headRows[0].id) : BigInt(base.id);

  // Without an explicit end, checkpoints past the last record count too: they prove a removed tail.
  const checkpointQuery = manager.createQueryBuilder(AuditCheckpoint, 'c').where('c.headId > :base', { base: base.id });
  if (options.to !== undefined) checkpointQuery.andWhere('c.headId <= :to', { to: to.toString() });
  const checkpoints = await checkpointQuery.orderBy('c.headId', 'ASC').getMany();
  const checkpointsAt = new Map<string, AuditCheckpoint[]>();
  for (const cp of checkpoints) checkpointsAt.set(String(cp.headId), [...(checkpointsAt.get(String(cp.headId)) ?? []), cp]);

  const result: VerifyResult = { ok: true, checked: 0, firstId: null, lastId: null, lastHash: null, checkpointsChecked: 0, problem: null };
  const fail = (problem: ChainProblem): VerifyResult => ({ ...result, ok: false, problem });

  let expected = BigInt(base.id) + 1n;
  let previousHash = base.hash;
  let after = BigInt(base.id);
  let lookahead: AuditRecord[] = [];
  // Rows below the base (ids nobody should have written) were inserted out of order.
  if (options.from === undefined && !options.fromCheckpoint) {
    const stray = await manager.createQueryBuilder(AuditRecord, 'r').where('r.id <= :base', { base: base.id }).orderBy('r.id', 'ASC').limit(1).getOne();
    if (stray) return fail({ id: String(stray.id), kind: 'inserted', message: `record ${stray.id} lies before the start of the chain (id ${base.id})` });
  }

  for (;;) {
    const page = lookahead.length > 0 ? lookahead : await manager
      .createQueryBuilder(AuditRecord, 'r')
      .where('r.id > :after AND r.id <= :to', { after: after.toString(), to: to.toString() })
      .orderBy('r.id', 'ASC')
      .limit(pageSize)
      .getMany();
    lookahead = [];
    if (page.length === 0) break;
    const next = await manager
      .createQueryBuilder(AuditRecord, 'r')
      .where('r.id > :after AND r.id <= :to', { after: String(page[page.length - 1].id), to: to.toString() })
      .orderBy('r.id', 'ASC')
      .limit(pageSize)
      .getMany();
    for (let index = 0; index < page.length; index += 1) {
      const record = page[index];
      const id = BigInt(record.id);
      const storedHash = record.hash.trim();
      if (id > expected) {
        return fail({ id: expected.toString(), kind: 'removed', message: `record ${expected} is missing (the chain jumps from ${expected - 1n} to ${id})` });
      }
      if (hashContent({ ...record, id: String(record.id) } as never) !== storedHash) {
        return fail({ id: String(record.id), kind: 'changed', message: `record ${record.id} does not match its hash: its content was changed` });
      }
      if (record.prevHash.trim() !== previousHash) {
        const follower = page[index + 1] ?? next[0];
        const inserted = follower && follower.prevHash.trim() === previousHash;
        return fail({
          id: String(record.id),
          kind: 'inserted',
          message: inserted
            ? `record ${record.id} was inserted out of order: record ${follower.id} links to the record before it`
            : `record ${record.id} does not link to record ${expected - 1n}: it was inserted or its predecessor replaced`,
        });
      }
      for (const cp of checkpointsAt.get(String(record.id)) ?? []) {
        result.checkpointsChecked += 1;
        if (options.key && !checkpointSignatureValid(options.key, cp)) {
          return fail({ id: String(record.id), kind: 'checkpoint', message: `checkpoint ${cp.id} of record ${record.id} has an invalid signature` });
        }
        if (cp.headHash.trim() !== storedHash) {
          return fail({ id: String(record.id), kind: 'changed', message: `record ${record.id} differs from signed checkpoint ${cp.id}` });
        }
      }
      result.checked += 1;
      result.firstId ??= String(record.id);
      result.lastId = String(record.id);
      result.lastHash = storedHash;
      previousHash = storedHash;
      expected = id + 1n;
    }
    after = BigInt(page[page.length - 1].id);
    lookahead = next;
  }
  // A checkpoint beyond the last record proves records were removed from the end.
  const beyond = checkpoints.find((cp) => BigInt(cp.headId) >= expected);
  if (beyond) {
    return fail({ id: expected.toString(), kind: 'removed', message: `record ${expected} is missing: checkpoint ${beyond.id} attests a head at ${beyond.headId}` });
  }
  if (result.firstId !== null) {
    // Every subgraph record of a verified hop (a principal is named) has its gateway record.
    const before = new Date(Date.now() - (options.unlinkedGraceMs ?? 60_000));
    const unlinked: { id: string; request_id: string; served_by: string }[] = await manager.query(
      `SELECT s.id::text AS id, s.request_id, s.served_by FROM audit_record s
        WHERE s.id >= $1 AND s.id <= $2 AND s.served_by IS NOT NULL AND s.principal_id IS NOT NULL AND s."timestamp" < $3
          AND NOT EXISTS (SELECT 1 FROM audit_record g WHERE g.request_id = s.request_id AND g.served_by IS NULL)
        ORDER BY s.id LIMIT 1`,
      [result.firstId, result.lastId, before],
    );
    if (unlinked[0]) {
      const { id, request_id: requestId, served_by: servedBy } = unlinked[0];
      return fail({ id, kind: 'unlinked', message: `record ${id} of subgraph ${servedBy} (request ${requestId}) has no gateway record with that request id` });
    }
  }
  return result;
}
