import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { AdState } from './ad-state';
import { Campaign } from './campaign.entity';
import { ScopedAdRow } from './scoped-ad-row';

@Entity('ad_group')
export class AdGroup extends ScopedAdRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 32, unique: true })
  adGroupId: string;

  @Index()
  @Column({ type: 'varchar', length: 32 })
  campaignId: string;

  @ManyToOne(() => Campaign, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaign_id', referencedColumnName: 'campaignId' })
  campaign?: Campaign;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  state: AdState;

  @Column({ type: 'numeric', precision: 14, scale: 2 })
  defaultBid: string;
}
