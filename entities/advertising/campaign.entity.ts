import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { AdState, TargetingType } from './ad-state';
import { ScopedAdRow } from './scoped-ad-row';

/** A Sponsored Products campaign. Ads ids exceed 2^53: always strings. */
@Entity('campaign')
@Index('IDX_campaign_account_marketplace', ['sellerAccountId', 'marketplaceId'])
export class Campaign extends ScopedAdRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 32, unique: true })
  campaignId: string;

  @Column({ type: 'varchar', length: 255 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  state: AdState;

  @Column({ type: 'varchar', length: 8 })
  targetingType: TargetingType;

  @Column({ type: 'numeric', precision: 14, scale: 2 })
  dailyBudget: string;

  @Column({ type: 'date' })
  startDate: string;

  @Column({ type: 'date', nullable: true })
  endDate: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  portfolioId: string | null;
}
