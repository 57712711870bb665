import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ImportRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED';

/** One import of one file or API response: provenance and outcome (SYSTEM_LOGS). */
@Entity('import_run')
export class ImportRun {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 500 })
  fileName: string;

  @Index()
  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'varchar', length: 80 })
  reportType: string;

  /** SELLER_CENTRAL_REPORT, ADS_REPORT, SP_API, ADS_API or INTERNAL_UPLOAD. */
  @Column({ type: 'varchar', length: 32 })
  source: string;

  @Index()
  @Column({ type: 'varchar', length: 32 })
  sellerAccountId: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  marketplaceId: string | null;

  /** Principal id (or `cli:<os user>`) that ran the import. */
  @Column({ type: 'varchar', length: 200 })
  importedBy: string;

  @Column({ type: 'varchar', length: 16 })
  status: ImportRunStatus;

  @Index()
  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  rowsRead: number;

  @Column({ type: 'integer', default: 0 })
  rowsInserted: number;

  @Column({ type: 'integer', default: 0 })
  rowsUpdated: number;

  @Column({ type: 'integer', default: 0 })
  rowsUnchanged: number;

  @Column({ type: 'integer', default: 0 })
  rowsRejected: number;

  /** Rows of shared tables left as they are: seller accounts or marketplaces outside the importer's scope see them. */
  @Column({ type: 'integer', default: 0 })
  rowsOutOfScope: number;

  /** Header names dropped at the door (personal data) or ignored (unknown). Never values. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  droppedColumns: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  ignoredColumns: string[];

  /** Rejected lines: `{ line, reason }`; reasons never echo personal values. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  rejectedLines: { line: number; reason: string }[];

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
