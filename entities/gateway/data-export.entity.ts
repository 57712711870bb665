import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A restricted export: the file a principal made from one GraphQL query (src/exports). Held in
 * the database so any gateway process can serve its download, only to the principal that made
 * it, until `expiresAt`; then deleted. The content is what that principal read (masked alike).
 */
@Entity('data_export')
export class DataExport {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Token id or user subject of the principal that made it (the only one that may download it). */
  @Index()
  @Column({ type: 'varchar', length: 200 })
  principalId: string;

  /** `token` or `user`. */
  @Column({ type: 'varchar', length: 8 })
  principalKind: string;

  @Column({ type: 'varchar', length: 64 })
  principalRole: string;

  /** Purpose the query was read under. */
  @Column({ type: 'varchar', length: 40, nullable: true })
  purpose: string | null;

  /** `CSV` or `JSONL`. */
  @Column({ type: 'varchar', length: 8 })
  format: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  operationName: string | null;

  /** SHA-256 of the exported document's text (the audit log's document hash). */
  @Column({ type: 'char', length: 64 })
  documentHash: string;

  /** As long as `policy_revision.version`: `<label>+<hash>` with a label of up to 64 characters. */
  @Column({ type: 'varchar', length: 80 })
  policyVersion: string;

  /**
   * Row scope of the principal when it made the export (the scope its query was read under):
   * seller accounts and marketplaces, NULL = not limited (exports made before this was kept are
   * NULL too, so only a principal not limited in scope is served them). The file is served only
   * while the caller's current scope holds it (src/exports/export.service.ts, exportServableTo).
   */
  @Column({ type: 'text', array: true, nullable: true })
  scopeAccounts: string[] | null;

  @Column({ type: 'text', array: true, nullable: true })
  scopeMarketplaces: string[] | null;

  /** Data categories the exported query read (NULL for exports made before this was kept: any). */
  @Column({ type: 'text', array: true, nullable: true })
  categories: string[] | null;

  @Column({ type: 'integer' })
  rowCount: number;

  @Column({ type: 'integer' })
  byteSize: number;

  /** SHA-256 of the file's bytes (watermark line included). */
  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'bytea', select: false })
  content: Buffer;

  /** Request that made the export (its audit record). */
  @Column({ type: 'varchar', length: 100 })
  requestId: string;

  @Column({ type: 'timestamptz' })
  createdAt: Date;

  @Index()
  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'integer', default: 0 })
  downloads: number;

  @Column({ type: 'timestamptz', nullable: true })
  lastDownloadedAt: Date | null;
}
