// `explainAccess`: the decision for a role, purpose and coordinate, with its rule (admin, compliance).
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Field, Info, Int, ObjectType, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../context';
import { Allow } from './classification';
import { explainAccess } from './explain';
import { fieldRegistry } from './field-registry';
import { Category, MaskKind, Permission, Purpose, Sensitivity } from './taxonomy';

@ObjectType('AccessExplanation', { description: 'A decision of the access policy and the rule that produced it' })
export class AccessExplanationType {
  @Field()
  policyVersion: string;

  @Field()
  role: string;

  @Field(() => Purpose)
  purpose: Purpose;

  @Field()
  coordinate: string;

  @Field(() => Category, { nullable: true })
  category?: Category;

  @Field(() => Sensitivity, { nullable: true })
  sensitivity?: Sensitivity;

  @Field({ description: 'allow, mask or deny' })
  effect: string;

  @Field(() => MaskKind, { nullable: true })
  mask?: MaskKind;

  @Field(() => Int, { nullable: true, description: 'Aggregates: smallest group returned in full' })
  minGroupSize?: number;

  @Field({ description: 'Decision step, e.g. ROLE_GRANT or PURPOSE_OUTSIDE_CATEGORY' })
  rule: string;

  @Field({ description: 'Policy entry, e.g. roles.analyst.grants.BUSINESS_ANALYSIS.CONFIDENTIAL' })
  source: string;

  @Field()
  reason: string;
}

@Resolver()
export class ExplainAccessResolver {
  @Query(() => AccessExplanationType, { description: 'Why a role under a purpose gets a field in full, masked or not at all' })
  @Allow(Permission.EXPLAIN_ACCESS)
  explainAccess(
    @Ctx() ctx: RequestContext,
    @Info() info: GraphQLResolveInfo,
    @Arg('role') role: string,
    @Arg('purpose', () => Purpose) purpose: Purpose,
    @Arg('coordinate', { description: 'Type.field, e.g. Order.amazonOrderId' }) coordinate: string,
  ): AccessExplanationType {
    return explainAccess(ctx.policy, fieldRegistry(ctx.apiSchema ?? info.schema), role, purpose, coordinate);
  }
}
