import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { ProvenancedRow } from '../common/provenance';

/** A catalog product, global by ASIN (the same ASIN is shared by every seller and marketplace). */
@Entity('product')
export class Product extends ProvenancedRow {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 10, unique: true })
  asin: string;

  @Column({ type: 'varchar', length: 500 })
  title: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  brand: string | null;

  /** Product type or browse category, e.g. `KITCHEN`. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  category: string | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  imageUrl: string | null;

  /** Product-type attributes as the Listings Items API returns them. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  attributes: Record<string, unknown>;
}
