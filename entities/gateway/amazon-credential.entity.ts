import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { SellerAccount } from '../catalog/seller-account.entity';

/** What an Amazon credential is (src/security/credentials). */
export enum AmazonCredentialKind {
  LWA_CLIENT_ID = 'LWA_CLIENT_ID',
  LWA_CLIENT_SECRET = 'LWA_CLIENT_SECRET',
  REFRESH_TOKEN = 'REFRESH_TOKEN',
  ADS_PROFILE_ID = 'ADS_PROFILE_ID',
}

/**
 * An Amazon API credential of a seller account, stored encrypted (AES-256-GCM under a key of
 * CREDENTIAL_KEYS). The plaintext is in no column: `ciphertext` is bound to this row's id, kind and
 * account (additional authenticated data), so a ciphertext copied to another row does not decrypt.
 * One credential per (account, kind, label); storing it again replaces the secret.
 */
@Entity('amazon_credential')
@Index('UQ_amazon_credential_account_kind_label', ['sellerAccountId', 'kind', 'label'], { unique: true })
export class AmazonCredential {
  /** Chosen before encryption (it is part of the authenticated data). */
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'varchar', length: 32 })
  sellerAccountId: string;

  @ManyToOne(() => SellerAccount, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'seller_account_id', referencedColumnName: 'sellerId' })
  sellerAccount?: SellerAccount;

  @Column({ type: 'varchar', length: 32 })
  kind: AmazonCredentialKind;

  /** Tells credentials of one kind apart (e.g. one Ads profile per marketplace); `default` unless given. */
  @Column({ type: 'varchar', length: 100, default: 'default' })
  label: string;

  @Column({ type: 'bytea' })
  ciphertext: Buffer;

  /** 12 random bytes, new for every encryption. */
  @Column({ type: 'bytea' })
  iv: Buffer;

  /** GCM authentication tag (16 bytes). */
  @Column({ type: 'bytea' })
  authTag: Buffer;

  /** Id of the CREDENTIAL_KEYS key that encrypted it. */
  @Index()
  @Column({ type: 'varchar', length: 64 })
  keyId: string;

  @Column({ type: 'timestamptz' })
  createdAt: Date;

  /** When the secret was last set; its age (stale after CREDENTIAL_MAX_AGE_DAYS) counts from here. */
  @Column({ type: 'timestamptz' })
  secretChangedAt: Date;

  /** Last time the gateway decrypted it for use. */
  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'varchar', length: 200 })
  createdBy: string;

  /** When Amazon refused it (a refresh token revoked or expired): stale until stored again. */
  @Column({ type: 'timestamptz', nullable: true })
  refusedAt: Date | null;
}
