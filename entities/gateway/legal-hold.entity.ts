import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A legal hold: records it covers are skipped by every retention rule and every deletion until
 * it is released or ends. It names one or more of: a seller account, Amazon order ids,
 * settlement ids, a date range; a record is held when it matches every dimension the hold names
 * (order ids and settlement ids: either list).
 */
@Entity('legal_hold')
@Index(['releasedAt', 'endsAt'])
export class LegalHold {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 1000 })
  reason: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  sellerAccountId: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  amazonOrderIds: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  settlementIds: string[];

  /**
   * Seller accounts and marketplaces of the data it reaches (NULL: not limited), kept after
   * execution: principals limited in scope see and act on it only when both lie within theirs.
   */
  @Column({ type: 'text', array: true, nullable: true })
  scopeAccounts: string[] | null;

  @Column({ type: 'text', array: true, nullable: true })
  scopeMarketplaces: string[] | null;

  /** Record dates from (inclusive) and to (exclusive). */
  @Column({ type: 'timestamptz', nullable: true })
  fromDate: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  toDate: Date | null;

  /** When the hold lapses by itself; null: until released. */
  @Column({ type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  @Column({ type: 'varchar', length: 200 })
  placedBy: string;

  @Column({ type: 'timestamptz' })
  placedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  releasedAt: Date | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  releasedBy: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  releaseReason: string | null;
}
