import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An API token. The secret (`sg_...`) is shown once at creation and stored only as its SHA-256;
 * every request looks the hash up, so a revocation takes effect on the next request.
 */
@Entity('api_token')
export class ApiToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Hex SHA-256 of the token (never the token itself). */
  @Index({ unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash: string;

  @Column({ type: 'varchar', length: 64 })
  role: string;

  /** Purposes the token may declare: a subset of its role's. */
  @Column({ type: 'text', array: true })
  purposes: string[];

  /** Categories, seller accounts and marketplaces it is limited to; `null` = not limited. */
  @Column({ type: 'text', array: true, nullable: true })
  categories: string[] | null;

  @Column({ type: 'text', array: true, nullable: true })
  accounts: string[] | null;

  @Column({ type: 'text', array: true, nullable: true })
  marketplaces: string[] | null;

  /** Service-provider token: always expires (at most 90 days), never administrative. */
  @Column({ type: 'boolean', default: false })
  partner: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'varchar', length: 200 })
  createdBy: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  /** Source addresses allowed to use the token; `null` = any. */
  @Column({ type: 'text', array: true, nullable: true })
  ipAllowList: string[] | null;
}
