import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Why a checkpoint was taken. */
export type AuditCheckpointKind = 'periodic' | 'manual' | 'retention';

/**
 * A signed statement of the chain head (`headId`, `headHash`): HMAC-SHA256 with the configured
 * AUDIT_CHECKPOINT_KEY. Verification can start from one; a copy kept elsewhere proves the head.
 * A `retention` checkpoint also states the range it removed (`removedFromId`..`removedToId`).
 */
@Entity('audit_checkpoint')
export class AuditCheckpoint {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'varchar', length: 16 })
  kind: AuditCheckpointKind;

  @Column({ type: 'bigint' })
  headId: string;

  @Column({ type: 'char', length: 64 })
  headHash: string;

  @Column({ type: 'bigint', nullable: true })
  removedFromId: string | null;

  @Column({ type: 'bigint', nullable: true })
  removedToId: string | null;

  /** Hash of the last removed record: the `prevHash` of the first record kept. */
  @Column({ type: 'char', length: 64, nullable: true })
  removedLastHash: string | null;

  /** Identifies the signing key (first 8 hex of SHA-256 of the key) without revealing it. */
  @Column({ type: 'varchar', length: 16 })
  keyId: string;

  @Column({ type: 'char', length: 64 })
  signature: string;
}
