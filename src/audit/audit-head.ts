// The chain head and the lock that serializes appends across writers and gateway processes.
import type { EntityManager } from 'typeorm';
import { GENESIS_HASH } from './canonical';

/** Key of the transaction-scoped advisory lock held while the chain is extended or trimmed. */
export const AUDIT_CHAIN_LOCK = 7_303_911_204;

export interface ChainHead {
  id: string;
  hash: string;
}

export async function lockChain(manager: EntityManager): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
}

/** Where the chain starts: after the last range removed by retention, or at the genesis hash. */
export async function chainBase(manager: EntityManager): Promise<ChainHead> {
  const removed: { id: string; hash: string }[] = await manager.query(
    `SELECT removed_to_id::text AS id, removed_last_hash AS hash FROM audit_checkpoint
      WHERE kind = 'retention' ORDER BY removed_to_id DESC LIMIT 1`,
  );
  return removed[0] ? { id: removed[0].id, hash: removed[0].hash.trim() } : { id: '0', hash: GENESIS_HASH };
}

/** The last record (or the chain base when there is none). Call with the chain lock held. */
export async function readHead(manager: EntityManager): Promise<ChainHead> {
  const rows: { id: string; hash: string }[] = await manager.query(
    'SELECT r.id::text AS id, r.hash FROM audit_record r ORDER BY r.id DESC LIMIT 1',
  );
  return rows[0] ? { id: rows[0].id, hash: rows[0].hash.trim() } : chainBase(manager);
}
