import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { AdGroupChild } from './ad-group-child';
import { TargetingType } from './ad-state';

/** One clause of the Ads API expression, e.g. `{ type: 'ASIN_SAME_AS', value: 'B0...' }`. */
export interface TargetExpressionClause {
  type: string;
  value?: string;
}

/** A product target (manual ASIN/category targeting or an auto-targeting group). */
@Entity('product_target')
export class ProductTarget extends AdGroupChild {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 32, unique: true })
  targetId: string;

  @Column({ type: 'jsonb' })
  expression: TargetExpressionClause[];

  /** The expression as the console and reports print it, e.g. `asin="B0..."` or `close-match`. */
  @Column({ type: 'varchar', length: 1000 })
  expressionText: string;

  @Column({ type: 'varchar', length: 8 })
  expressionType: TargetingType;

  /** Null: the ad group's default bid applies. */
  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  bid: string | null;
}
