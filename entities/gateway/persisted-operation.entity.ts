import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ApiToken } from './api-token.entity';

/**
 * An operation registered for a (partner) token: the token may run exactly this document,
 * identified by the SHA-256 of its text (the hash Apollo's persisted queries use).
 */
@Entity('persisted_operation')
@Index(['tokenId', 'documentHash'], { unique: true })
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

  @Column({ type: 'text' })
  document: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  operationName: string | null;

  @Column({ type: 'varchar', length: 200 })
  createdBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
