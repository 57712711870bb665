import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { AdGroupChild } from './ad-group-child';
import { KeywordMatchType } from './ad-state';

@Entity('keyword')
export class Keyword extends AdGroupChild {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 32, unique: true })
  keywordId: string;

  @Column({ type: 'varchar', length: 500 })
  keywordText: string;

  @Column({ type: 'varchar', length: 8 })
  matchType: KeywordMatchType;

  @Column({ type: 'numeric', precision: 14, scale: 2 })
  bid: string;
}
