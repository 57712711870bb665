import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type SystemEventLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** A gateway event worth keeping (start, stop, audit write failure, ...). Never personal data. */
@Entity('system_event')
export class SystemEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Index()
  @Column({ type: 'timestamptz' })
  time: Date;

  @Column({ type: 'varchar', length: 8 })
  level: SystemEventLevel;

  @Column({ type: 'varchar', length: 60 })
  component: string;

  @Column({ type: 'varchar', length: 1000 })
  message: string;

  @Index()
  @Column({ type: 'varchar', length: 100, nullable: true })
  requestId: string | null;
}
