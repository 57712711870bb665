import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { AdGroupChild } from './ad-group-child';

/** An advertised product (SKU and/or ASIN) in an ad group. */
@Entity('product_ad')
export class ProductAd extends AdGroupChild {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 32, unique: true })
  adId: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  sku: string | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  asin: string | null;
}
