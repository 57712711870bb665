import { Column, Index, JoinColumn, ManyToOne } from 'typeorm';
import { AdGroup } from './ad-group.entity';
import { AdState } from './ad-state';
import { ScopedAdRow } from './scoped-ad-row';

/** Keywords, product targets and product ads: children of an ad group, carrying its campaign id. */
export abstract class AdGroupChild extends ScopedAdRow {
  @Index()
  @Column({ type: 'varchar', length: 32 })
  adGroupId: string;

  @ManyToOne(() => AdGroup, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'ad_group_id', referencedColumnName: 'adGroupId' })
  adGroup?: AdGroup;

  @Column({ type: 'varchar', length: 32 })
  campaignId: string;

  @Column({ type: 'varchar', length: 16 })
  state: AdState;
}
