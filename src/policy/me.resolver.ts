// `me`: what the caller is and may see, for every authenticated principal (no permission, no
// purpose): role, purposes it may declare, row and category scope, expiry, and per purpose and
// category what each sensitivity gets. The effects come from `decide`, the one decision function.
import { Ctx, Field, ObjectType, Query, registerEnumType, Resolver } from 'type-graphql';
import type { Principal } from '../auth/principal';
import type { RequestContext } from '../context';
import { ErrorCode, gatewayError } from '../errors';
import { AnyAuthenticated } from './classification';
import { decide } from './decide';
import type { Policy } from './policy';
import { ALL_CATEGORIES, ALL_SENSITIVITIES, Category, MaskKind, Purpose, Sensitivity } from './taxonomy';

export enum AccessEffect {
  ALLOW = 'ALLOW',
  MASK = 'MASK',
  DENY = 'DENY',
}
registerEnumType(AccessEffect, {
  name: 'AccessEffect',
  description: 'What the access policy gives a field: its value, a masked value of the same type, or null with a FORBIDDEN error',
});

@ObjectType('SensitivityAccess', { description: 'What fields of one sensitivity get, under one purpose, in one category' })
export class SensitivityAccessType {
  @Field(() => Sensitivity)
  sensitivity: Sensitivity;

  @Field(() => AccessEffect, { description: 'MASK applies to fields that declare a mask; a masked grant on a field without one denies it' })
  effect: AccessEffect;

  @Field({ description: 'Decision step, e.g. ROLE_GRANT or PURPOSE_OUTSIDE_CATEGORY' })
  rule: string;

  @Field()
  reason: string;
}

@ObjectType('CategoryAccess', { description: 'What a purpose gives in one data category' })
export class CategoryAccessType {
  @Field(() => Category)
  category: Category;

  @Field({ description: 'Whether the purpose is one of the category\'s purposes (else only PUBLIC fields are readable)' })
  purposeOfCategory: boolean;

  @Field(() => [SensitivityAccessType])
  sensitivities: SensitivityAccessType[];
}

@ObjectType('PurposeAccess', { description: 'What the caller gets when it declares one purpose' })
export class PurposeAccessType {
  @Field(() => Purpose)
  purpose: Purpose;

  @Field(() => [CategoryAccessType])
  categories: CategoryAccessType[];
}

@ObjectType('Me', { description: 'The caller: identity, purposes, scope, expiry and what each purpose grants' })
export class MeType {
  @Field({ description: 'Principal id: JWT subject, token id, or cli:<user>@<host>' })
  id: string;

  @Field({ description: 'user, token or operator' })
  kind: string;

  @Field()
  name: string;

  @Field()
  role: string;

  @Field(() => [Purpose], { description: 'Purposes the caller may declare with X-Purpose' })
  purposes: Purpose[];

  @Field(() => Purpose, { nullable: true, description: 'The purpose this request declared (or the token\'s single bound purpose)' })
  declaredPurpose: Purpose | null;

  @Field(() => [Category], { nullable: true, description: 'Categories the caller is limited to; null: not limited' })
  categories: Category[] | null;

  @Field(() => [String], { nullable: true, description: 'Seller accounts the caller is limited to; null: not limited' })
  accounts: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Marketplaces the caller is limited to; null: not limited' })
  marketplaces: string[] | null;

  @Field({ description: 'A partner (service provider) token' })
  partner: boolean;

  @Field(() => Date, { nullable: true, description: 'When the token or JWT expires; null: never' })
  expiresAt: Date | null;

  @Field()
  policyVersion: string;

  @Field(() => [PurposeAccessType], { description: 'Per purpose the caller may declare, per category, what each sensitivity gets' })
  access: PurposeAccessType[];
}

/** Per purpose and category, each sensitivity's effect, as `decide` makes it for this principal. */
export function accessOf(policy: Policy, principal: Principal): PurposeAccessType[] {
  return principal.purposes.map((purpose) => ({
    purpose,
    categories: ALL_CATEGORIES.map((category) => ({
      category,
      purposeOfCategory: policy.categories[category]?.includes(purpose) ?? false,
      sensitivities: ALL_SENSITIVITIES.map((sensitivity) => {
        // A field of this category and sensitivity that declares a mask (most masked-able fields
        // do): the grant's `masked` then reads as MASK, as it does on such a field.
        const decision = decide(policy, principal, purpose, { coordinate: `${category}.${sensitivity}`, category, sensitivity, mask: MaskKind.REDACT });
        return {
          sensitivity,
          effect: decision.effect === 'allow' ? AccessEffect.ALLOW : decision.effect === 'mask' ? AccessEffect.MASK : AccessEffect.DENY,
          rule: decision.rule,
          reason: decision.reason.replace(`${category}.${sensitivity} is`, `${sensitivity} fields of ${category} are`),
        };
      }),
    })),
  }));
}

@Resolver()
export class MeResolver {
  @Query(() => MeType, { description: 'The caller: role, purposes, scope, expiry and what each purpose grants (any authenticated principal; no purpose needed)' })
  @AnyAuthenticated()
  me(@Ctx() ctx: RequestContext): MeType {
    const principal = ctx.principal;
    if (!principal) throw gatewayError(ErrorCode.UNAUTHENTICATED, 'Authentication required', { http: { status: 401 } });
    return {
      id: principal.id,
      kind: principal.kind,
      name: principal.name,
      role: principal.role,
      purposes: [...principal.purposes],
      declaredPurpose: ctx.purpose,
      categories: principal.categories ? [...principal.categories] : null,
      accounts: principal.accounts ? [...principal.accounts] : null,
      marketplaces: principal.marketplaces ? [...principal.marketplaces] : null,
      partner: principal.partner,
      expiresAt: principal.expiresAt,
      policyVersion: ctx.policy.version,
      access: accessOf(ctx.policy, principal),
    };
  }
}
