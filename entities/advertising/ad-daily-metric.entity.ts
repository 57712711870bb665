import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { AdEntityType } from './ad-state';
import { ScopedAdRow } from './scoped-ad-row';

/**
 * One day of Sponsored Products performance for one entity (campaign, ad group, keyword, target
 * or product ad), in the marketplace's currency. No foreign key to the entity: reports may
 * arrive before the entities do. Sales and purchases are 7-day attributed.
 */
@Entity('ad_daily_metric')
@Unique('UQ_ad_daily_metric_entity_date', ['entityType', 'entityId', 'date'])
@Index('IDX_ad_daily_metric_type_date', ['entityType', 'date'])
@Index('IDX_ad_daily_metric_campaign_date', ['campaignId', 'date'])
export class AdDailyMetric extends ScopedAdRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'date' })
  date: string;

  @Column({ type: 'varchar', length: 16 })
  entityType: AdEntityType;

  @Column({ type: 'varchar', length: 32 })
  entityId: string;

  @Column({ type: 'varchar', length: 32 })
  campaignId: string;

  /** The row's ad group: its own id on AD_GROUP rows, the parent's below, null on CAMPAIGN rows. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  adGroupId: string | null;

  @Column({ type: 'integer', default: 0 })
  impressions: number;

  @Column({ type: 'integer', default: 0 })
  clicks: number;

  @Column({ type: 'numeric', precision: 14, scale: 2, default: 0 })
  cost: string;

  @Column({ type: 'numeric', precision: 14, scale: 2, default: 0 })
  sales: string;

  @Column({ type: 'integer', default: 0 })
  purchases: number;

  @Column({ type: 'integer', default: 0 })
  units: number;
}
