import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type SyncRunStatus = 'RUNNING' | 'SUCCEEDED' | 'PARTIAL' | 'FAILED';

/** One sync run of the Amazon connectors (CLI, schedule or GraphQL): what it covered and how it ended. */
@Entity('sync_run')
@Index(['startedAt'])
export class SyncRun {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** `cli`, `schedule` or `graphql`. */
  @Column({ type: 'varchar', length: 16 })
  trigger: string;

  @Column({ type: 'varchar', length: 200 })
  principalId: string;

  @Column({ type: 'varchar', length: 16 })
  status: SyncRunStatus;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  accounts: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  streams: string[];

  @Column({ type: 'timestamptz', nullable: true })
  since: Date | null;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  /** Refreshed while the run works; a RUNNING run whose heartbeat is stale was interrupted. */
  @Column({ type: 'timestamptz' })
  heartbeatAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  /** Documents imported (each one an import run). */
  @Column({ type: 'integer', default: 0 })
  documents: number;

  @Column({ type: 'integer', default: 0 })
  rowsInserted: number;

  @Column({ type: 'integer', default: 0 })
  rowsUpdated: number;

  @Column({ type: 'integer', default: 0 })
  rowsUnchanged: number;

  @Column({ type: 'integer', default: 0 })
  apiCalls: number;

  /** Per stream: `{ account, marketplace, stream, code, message }` (no data values). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  errors: { account: string; marketplace: string; stream: string; code: string; message: string }[];

  /** Import runs this sync made. */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  importRunIds: string[];
}
