import { registerEnumType } from 'type-graphql';

/** Direction of a list's sort key (ties are broken by id in the same direction). */
export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}

registerEnumType(SortDirection, { name: 'SortDirection', description: 'Sort direction of a list' });
