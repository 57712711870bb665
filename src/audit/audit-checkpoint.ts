// Signed checkpoints of the chain head: HMAC-SHA256 with AUDIT_CHECKPOINT_KEY over the canonical
// JSON of the checkpoint. A copy kept elsewhere (or the signature alone) proves the head later.
import type { DataSource, EntityManager } from 'typeorm';
import { AuditCheckpoint, type AuditCheckpointKind } from '../../entities/gateway/audit-checkpoint.entity';
import { canonicalJson, hexEqual, hmacHex, sha256Hex } from './canonical';
import { lockChain, readHead, type ChainHead } from './audit-head';

export interface CheckpointStatement {
  kind: AuditCheckpointKind;
  createdAt: Date;
  headId: string;
  headHash: string;
  removedFromId: string | null;
  removedToId: string | null;
  removedLastHash: string | null;
}

export function keyIdOf(key: string): string {
  return sha256Hex(key).slice(0, 16);
}

function statementOf(checkpoint: CheckpointStatement): CheckpointStatement {
  return {
    kind: checkpoint.kind,
    createdAt: new Date(checkpoint.createdAt),
    headId: String(checkpoint.headId),
    headHash: checkpoint.headHash.trim(),
    removedFromId: checkpoint.removedFromId === null ? null : String(checkpoint.removedFromId),
    removedToId: checkpoint.removedToId === null ? null : String(checkpoint.removedToId),
    removedLastHash: checkpoint.removedLastHash === null ? null : checkpoint.removedLastHash.trim(),
  };
}

export function signCheckpoint(key: string, checkpoint: CheckpointStatement): string {
  return hmacHex(key, canonicalJson(statementOf(checkpoint)));
}

export function checkpointSignatureValid(key: string, checkpoint: AuditCheckpoint): boolean {
  return hexEqual(signCheckpoint(key, checkpoint), checkpoint.signature.trim());
}

/** The columns of a signed checkpoint of `headId`/`headHash`, signed now (for audit_append). */
export function checkpointColumns(
  key: string,
  statement: Pick<CheckpointStatement, 'kind' | 'headId' | 'headHash'>,
): { createdAt: Date; keyId: string; signature: string } {
  const full: CheckpointStatement = {
    ...statement,
    createdAt: new Date(Math.floor(Date.now())),
    removedFromId: null,
    removedToId: null,
    removedLastHash: null,
  };
  return { createdAt: full.createdAt, keyId: keyIdOf(key), signature: signCheckpoint(key, full) };
}

/** Inserts a signed checkpoint (inside the caller's transaction, which holds the chain lock). */
export async function insertCheckpoint(
  manager: EntityManager,
  key: string,
  statement: Omit<CheckpointStatement, 'createdAt' | 'removedFromId' | 'removedToId' | 'removedLastHash'> &
    Partial<Pick<CheckpointStatement, 'removedFromId' | 'removedToId' | 'removedLastHash'>> & { createdAt?: Date },
): Promise<AuditCheckpoint> {
  const full: CheckpointStatement = {
    kind: statement.kind,
    createdAt: new Date(Math.floor((statement.createdAt ?? new Date()).getTime())),
    headId: statement.headId,
    headHash: statement.headHash,
    removedFromId: statement.removedFromId ?? null,
    removedToId: statement.removedToId ?? null,
    removedLastHash: statement.removedLastHash ?? null,
  };
  const checkpoint = manager.create(AuditCheckpoint, { ...full, keyId: keyIdOf(key), signature: signCheckpoint(key, full) });
  return manager.save(AuditCheckpoint, checkpoint);
}

/** Signs a checkpoint of the current head (holding the chain lock, so the head cannot move). */
export async function checkpointHead(dataSource: DataSource, key: string, kind: 'periodic' | 'manual' = 'manual'): Promise<ChainHead> {
  return dataSource.transaction(async (manager) => {
    await lockChain(manager);
    const head = await readHead(manager);
    await insertCheckpoint(manager, key, { kind, headId: head.id, headHash: head.hash });
    return head;
  });
}
