import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An Amazon marketplace, e.g. `ATVPDKIKX0DER` (amazon.com, US, USD). */
@Entity('marketplace')
export class Marketplace {
  @PrimaryColumn({ type: 'varchar', length: 20 })
  marketplaceId: string;

  @Column({ type: 'char', length: 2 })
  countryCode: string;

  @Column({ type: 'char', length: 3 })
  currencyCode: string;

  /** Sales channel as reports spell it, e.g. `Amazon.com`. */
  @Column({ type: 'varchar', length: 40 })
  salesChannel: string;
}
