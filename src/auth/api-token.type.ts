// GraphQL shape of API tokens for the admin operations (never the secret's hash).
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Category, Purpose } from '../policy/taxonomy';

@ObjectType('ApiToken', { description: 'An API token (its secret is shown only once, at creation)' })
export class ApiTokenType {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field()
  role: string;

  @Field(() => [Purpose])
  purposes: Purpose[];

  @Field(() => [Category], { nullable: true, description: 'null: not limited' })
  categories: Category[] | null;

  @Field(() => [String], { nullable: true, description: 'Seller accounts it is limited to; null: not limited' })
  accounts: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Marketplaces it is limited to; null: not limited' })
  marketplaces: string[] | null;

  @Field()
  partner: boolean;

  @Field(() => Date, { nullable: true })
  expiresAt: Date | null;

  @Field()
  createdBy: string;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;
}

@ObjectType('CreatedApiToken')
export class CreatedApiTokenType {
  @Field({ description: 'The secret: store it now, it is never shown again' })
  token: string;

  @Field(() => ApiTokenType)
  apiToken: ApiTokenType;
}

@InputType('CreateApiTokenInput')
export class CreateApiTokenInput {
  @Field()
  role: string;

  @Field(() => [Purpose], { nullable: true, description: 'Default: all purposes of the role' })
  purposes?: Purpose[] | null;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [Category], { nullable: true })
  categories?: Category[] | null;

  @Field(() => [String], { nullable: true })
  accounts?: string[] | null;

  @Field(() => [String], { nullable: true })
  marketplaces?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Service-provider token: needs an expiry' })
  partner?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Lifetime in days, at most 90' })
  expiresInDays?: number | null;
}
