import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Outcome of one audited operation. */
export type AuditOutcome = 'ok' | 'partial' | 'denied' | 'invalid' | 'refused' | 'error';

/**
 * One GraphQL operation (or one request refused before GraphQL), append-only. `id` is assigned
 * by the audit writer under a transaction-scoped advisory lock as head id + 1, so ids are gapless
 * and follow the hash chain; `hash` is SHA-256 over the canonical JSON of every other column.
 * Holds no personal values and never a token (src/audit/redact.ts).
 */
@Entity('audit_record')
@Index(['principalId', 'timestamp'])
export class AuditRecord {
  @PrimaryColumn({ type: 'bigint' })
  id: string;

  @Index()
  @Column({ type: 'timestamptz' })
  timestamp: Date;

  @Index()
  @Column({ type: 'varchar', length: 100 })
  requestId: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  principalId: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  principalKind: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  principalRole: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  purpose: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  clientName: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  clientVersion: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  sourceIp: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  userAgent: string | null;

  /** query, mutation, subscription; null when the document did not parse. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  operationType: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  operationName: string | null;

  /** SHA-256 of the document as sent; the (literal-redacted) text is in audit_document. */
  @Column({ type: 'char', length: 64, nullable: true })
  documentHash: string | null;

  /** Variables with the values of sensitive arguments replaced by `[redacted]`. */
  @Column({ type: 'jsonb', nullable: true })
  variables: Record<string, unknown> | null;

  /** Field coordinates selected (`Type.field`), fragments included. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  fields: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  categories: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  masked: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  denied: string[];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  rowsByCategory: Record<string, number>;

  @Index()
  @Column({ type: 'varchar', length: 16 })
  outcome: AuditOutcome;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  errorCodes: string[];

  @Column({ type: 'integer' })
  durationMs: number;

  /** As long as `policy_revision.version`: `<label>+<hash>` with a label of up to 64 characters. */
  @Column({ type: 'varchar', length: 80, nullable: true })
  policyVersion: string | null;

  /** The subgraph that served or refused the request (federation); null at the gateway. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  servedBy: string | null;

  /**
   * Every purpose the operation was decided under when its root fields declared their own
   * (`@purpose`), sorted; null otherwise (`purpose` says it all).
   */
  @Column({ type: 'text', array: true, nullable: true })
  purposes: string[] | null;

  @Column({ type: 'char', length: 64 })
  prevHash: string;

  @Column({ type: 'char', length: 64 })
  hash: string;
}
