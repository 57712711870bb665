import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A GraphQL document, stored once per hash, with its literal string values redacted. */
@Entity('audit_document')
export class AuditDocument {
  /** SHA-256 of the document text as sent (the `documentHash` of audit records). */
  @PrimaryColumn({ type: 'char', length: 64 })
  hash: string;

  /** The parsed document printed with string literals redacted; null when it did not parse. */
  @Column({ type: 'text', nullable: true })
  document: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  firstSeenAt: Date;
}
