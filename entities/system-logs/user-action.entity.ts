import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An administrative action (token created or revoked, grant changed, retention run, ...). */
@Entity('user_action')
export class UserAction {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Index()
  @Column({ type: 'timestamptz' })
  time: Date;

  /** Principal id, or `cli:<os user>` for the command line. */
  @Index()
  @Column({ type: 'varchar', length: 200 })
  actor: string;

  /** e.g. `token.create`, `token.revoke`, `retention.run`. */
  @Column({ type: 'varchar', length: 60 })
  action: string;

  /** What the action was applied to (token id, account id, ...); never a secret. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  target: string | null;

  @Index()
  @Column({ type: 'varchar', length: 100, nullable: true })
  requestId: string | null;
}
