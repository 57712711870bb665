import { Column, CreateDateColumn, Entity, JoinTable, ManyToMany, PrimaryColumn } from 'typeorm';
import { Marketplace } from './marketplace.entity';

/** A seller account the company owns or is authorized for (data policy §1). */
@Entity('seller_account')
export class SellerAccount {
  /** Amazon merchant / seller id, e.g. `A2EUQ1WTGCTBG2`. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  sellerId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** Data for an account that is not authorized is refused at import. */
  @Column({ type: 'boolean', default: true })
  authorized: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @ManyToMany(() => Marketplace)
  @JoinTable({
    name: 'seller_account_marketplace',
    joinColumn: { name: 'seller_id', referencedColumnName: 'sellerId' },
    inverseJoinColumn: { name: 'marketplace_id', referencedColumnName: 'marketplaceId' },
  })
  marketplaces: Marketplace[];
}
