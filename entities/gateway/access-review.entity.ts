import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A signed-off access review: who reviewed, when, and the report they signed (ids and roles only). */
@Entity('access_review')
export class AccessReview {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The admitted principal that signed off (`kind:id`): never a name the caller chose. */
  @Column({ type: 'varchar', length: 200 })
  reviewer: string;

  /** A free-text name the reviewer gave (CLI `--reviewer`): a label beside `reviewer`, never in its place. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  reviewerLabel: string | null;

  /**
   * The reviewer's row scope, which the sign-off covers (NULL = every account or marketplace): a
   * company-wide sign-off has both NULL, and only a principal not limited in scope makes one.
   */
  @Column({ type: 'text', array: true, nullable: true })
  scopeAccounts: string[] | null;

  @Column({ type: 'text', array: true, nullable: true })
  scopeMarketplaces: string[] | null;

  @Column({ type: 'timestamptz' })
  signedAt: Date;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  note: string | null;

  @Column({ type: 'integer' })
  principals: number;

  /** Grants flagged as unused (candidates for revocation) at sign-off. */
  @Column({ type: 'integer' })
  flagged: number;

  /** The report as reviewed (principal ids, roles, purposes, dates; no data values). */
  @Column({ type: 'jsonb' })
  report: unknown;
}
