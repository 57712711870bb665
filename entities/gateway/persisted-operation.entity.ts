import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ApiToken } from './api-token.entity';

/**
 * An operation registered for a (partner) token: the token may run exactly this document,
 * identified by the SHA-256 of its text (the hash Apollo's persisted queries use) or of its
 * normalized form.
 */
@Entity('persisted_operation')
@Index(['tokenId', 'documentHash'], { unique: true })
@Index('IDX_persisted_operation_token_normalized', ['tokenId', 'normalizedHash'])
export class PersistedOperation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  tokenId: string;

  @ManyToOne(() => ApiToken, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'token_id' })
  token?: ApiToken;

  /** Hex SHA-256 of the document text. */
  @Index()
  @Column({ type: 'char', length: 64 })
  documentHash: string;

  /** Hex SHA-256 of the normalized document (canonical print of @graphql-tools/documents, `__typename` selections dropped): re-printed copies match. */
  @Column({ type: 'char', length: 64, nullable: true })
  normalizedHash: string | null;

  @Column({ type: 'text' })
  document: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  operationName: string | null;

  @Column({ type: 'varchar', length: 200 })
  createdBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
