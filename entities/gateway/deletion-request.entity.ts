import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type DeletionRequestState = 'RECEIVED' | 'APPROVED' | 'REJECTED' | 'EXECUTED';
/** PUBLIC_FORM: filed on the public Data Deletion page, pending verification by compliance. */
export type DeletionRequestSource = 'COMPANY' | 'AMAZON' | 'PUBLIC_FORM';

/**
 * A data deletion request (the data policy's deletion process). Until execution the scope names
 * the order ids or account; once executed they are replaced by keyed digests, so the request
 * and its certificate no longer hold what was deleted.
 */
@Entity('deletion_request')
@Index(['state', 'dueAt'])
@Index('UQ_deletion_request_reference_hash', ['referenceHash'], { unique: true, where: '"reference_hash" IS NOT NULL' })
export class DeletionRequest {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 16 })
  state: DeletionRequestState;

  @Column({ type: 'varchar', length: 16 })
  source: DeletionRequestSource;

  /** Every data row of this seller account (scope ACCOUNT). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  scopeAccountId: string | null;

  /** These Amazon orders and every row derived from them (scope ORDERS). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopeOrderIds: string[];

  /**
   * Seller accounts and marketplaces of the data it reaches (NULL: not limited), kept after
   * execution: principals limited in scope see and act on it only when both lie within theirs.
   */
  @Column({ type: 'text', array: true, nullable: true })
  scopeAccounts: string[] | null;

  @Column({ type: 'text', array: true, nullable: true })
  scopeMarketplaces: string[] | null;

  /** Keyed digests of the scope (HMAC-SHA256), kept after the scope itself is erased. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopeDigests: string[];

  @Column({ type: 'varchar', length: 1000 })
  reason: string;

  /** Who asked (a person, Amazon, a team); free text chosen by the operator. */
  @Column({ type: 'varchar', length: 200 })
  requester: string;

  @Column({ type: 'varchar', length: 200 })
  receivedBy: string;

  @Column({ type: 'timestamptz' })
  receivedAt: Date;

  @Column({ type: 'timestamptz' })
  dueAt: Date;

  @Column({ type: 'varchar', length: 200, nullable: true })
  decidedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  decisionReason: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  executedBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  executedAt: Date | null;

  /** SHA-256 of the reference number given to a requester of the public form (never the reference). */
  @Column({ type: 'varchar', length: 64, nullable: true, select: false })
  referenceHash: string | null;
}
