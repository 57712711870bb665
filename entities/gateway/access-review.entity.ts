import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A signed-off access review: who reviewed, when, and the report they signed (ids and roles only). */
@Entity('access_review')
export class AccessReview {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 200 })
  reviewer: string;

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
