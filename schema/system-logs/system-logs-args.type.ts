// Filters of the SYSTEM_LOGS lists. Time ranges are half-open: [from, to).
import { ArgsType, Field, InputType, Int } from 'type-graphql';
import { Category, Purpose } from '../../src/policy/taxonomy';
import { PageArgs } from '../common/connection.type';
import { SortDirection } from '../common/sort-direction.type';
import { AuditOutcomeType } from './audit-record.type';
import { ImportRunStatusType, SystemEventLevelType } from './system-logs.type';

@ArgsType()
export class TimeRangeArgs extends PageArgs {
  @Field(() => Date, { nullable: true, description: 'From this instant (inclusive)' })
  from?: Date;

  @Field(() => Date, { nullable: true, description: 'Up to this instant (exclusive)' })
  to?: Date;

  @Field(() => SortDirection, { nullable: true, description: 'Default DESC (newest first)' })
  direction?: SortDirection;
}

@ArgsType()
export class ApiCallLogsArgs extends TimeRangeArgs {
  @Field(() => Int, { nullable: true, description: 'HTTP status' })
  status?: number;

  @Field(() => String, { nullable: true, description: 'Operation name' })
  operation?: string;

  @Field(() => String, { nullable: true })
  requestId?: string;
}

@ArgsType()
export class SystemEventsArgs extends TimeRangeArgs {
  @Field(() => SystemEventLevelType, { nullable: true })
  level?: SystemEventLevelType;

  @Field(() => String, { nullable: true })
  component?: string;

  @Field(() => String, { nullable: true })
  requestId?: string;
}

@ArgsType()
export class UserActionsArgs extends TimeRangeArgs {
  @Field(() => String, { nullable: true, description: 'Principal id, or cli:<user>' })
  actor?: string;

  @Field(() => String, { nullable: true, description: 'e.g. token.create' })
  action?: string;

  @Field(() => String, { nullable: true })
  requestId?: string;
}

@ArgsType()
export class ImportRunsArgs extends TimeRangeArgs {
  @Field(() => String, { nullable: true, description: 'Seller account id, as the caller sees it: its pseudonym where sellerAccountId is masked' })
  account?: string;

  @Field(() => ImportRunStatusType, { nullable: true })
  status?: ImportRunStatusType;

  @Field(() => String, { nullable: true })
  reportType?: string;
}

@InputType('AuditRecordFilter', { description: 'All given conditions must hold' })
export class AuditRecordFilter {
  @Field(() => String, { nullable: true, description: 'Principal id' })
  principal?: string;

  @Field(() => Purpose, { nullable: true })
  purpose?: Purpose;

  @Field(() => AuditOutcomeType, { nullable: true })
  outcome?: AuditOutcomeType;

  @Field(() => Category, { nullable: true, description: 'Operations that touched this category' })
  category?: Category;

  @Field(() => String, { nullable: true, description: 'Operations that selected (or had masked or denied) this field coordinate, e.g. Order.shipPostalCode' })
  coordinate?: string;

  @Field(() => String, { nullable: true })
  requestId?: string;

  @Field(() => Date, { nullable: true })
  from?: Date;

  @Field(() => Date, { nullable: true })
  to?: Date;
}

@ArgsType()
export class AuditRecordsArgs extends PageArgs {
  @Field(() => AuditRecordFilter, { nullable: true })
  filter?: AuditRecordFilter;

  @Field(() => SortDirection, { nullable: true, description: 'Default DESC (newest first); the order of the chain' })
  direction?: SortDirection;
}
