import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Where a connector stream stands for one seller account and marketplace: the time up to which
 * its data is in (`cursor`), and the work in progress (a report being made, the next page of a
 * paged list), so a run stopped half way resumes where it stopped instead of starting over.
 */
@Entity('connector_cursor')
export class ConnectorCursor {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  sellerAccountId: string;

  /** Marketplace id, or `-` for streams of the whole account. */
  @PrimaryColumn({ type: 'varchar', length: 20 })
  marketplaceId: string;

  @PrimaryColumn({ type: 'varchar', length: 60 })
  stream: string;

  /** Data up to this time is in (the next run asks from here). */
  @Column({ type: 'timestamptz', nullable: true })
  cursor: Date | null;

  /** Work in progress: report id, next-page token, window (no data values). */
  @Column({ type: 'jsonb', nullable: true })
  pending: Record<string, unknown> | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastSuccessAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastErrorAt: Date | null;

  /** Code and message of the last failure (cleared by the next success). */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  lastError: string | null;

  @Column({ type: 'uuid', nullable: true })
  lastRunId: string | null;

  @Column({ type: 'timestamptz' })
  updatedAt: Date;
}
