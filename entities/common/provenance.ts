// Provenance carried by every imported row (data policy §1): where it came from and which
// import run last wrote it.
import { Column, Index } from 'typeorm';

export enum DataSourceKind {
  SELLER_CENTRAL_REPORT = 'SELLER_CENTRAL_REPORT',
  ADS_REPORT = 'ADS_REPORT',
  SP_API = 'SP_API',
  ADS_API = 'ADS_API',
  INTERNAL_UPLOAD = 'INTERNAL_UPLOAD',
  STAFF_RECORD = 'STAFF_RECORD',
  DEMO = 'DEMO',
}

/** Base class for data rows: `source` and `importRunId` on every table that holds imported data. */
export abstract class ProvenancedRow {
  @Column({ type: 'varchar', length: 32 })
  source: DataSourceKind;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  importRunId: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
