import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One HTTP request the gateway served (SYSTEM_LOGS); joins to audit records by `requestId`. */
@Entity('api_call_log')
export class ApiCallLog {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Index()
  @Column({ type: 'varchar', length: 100 })
  requestId: string;

  @Index()
  @Column({ type: 'timestamptz' })
  time: Date;

  @Column({ type: 'varchar', length: 200, nullable: true })
  principalId: string | null;

  /** Seller account the request was scoped to, when it was scoped to exactly one. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  accountId: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  operationName: string | null;

  @Column({ type: 'varchar', length: 8 })
  method: string;

  @Column({ type: 'varchar', length: 200 })
  path: string;

  @Column({ type: 'smallint' })
  httpStatus: number;

  @Column({ type: 'integer' })
  latencyMs: number;

  @Column({ type: 'varchar', length: 40, nullable: true })
  errorCode: string | null;
}
