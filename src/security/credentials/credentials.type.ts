// GraphQL shape of a stored Amazon credential: metadata only. The type has no field that could
// carry the value or its ciphertext (the schema test checks the exact field list).
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AmazonCredentialKind } from '../../../entities/gateway/amazon-credential.entity';

registerEnumType(AmazonCredentialKind, { name: 'AmazonCredentialKind', description: 'Login with Amazon client id or secret, refresh token, or Amazon Ads profile id' });

@ObjectType('AmazonCredential', { description: 'A stored (encrypted) Amazon API credential: metadata only, the value is never returned' })
export class AmazonCredentialType {
  @Field(() => ID)
  id: string;

  @Field({ description: 'Seller account it belongs to' })
  sellerAccountId: string;

  @Field(() => AmazonCredentialKind)
  kind: AmazonCredentialKind;

  @Field({ description: 'Tells credentials of one kind apart (default: `default`)' })
  label: string;

  @Field({ description: 'Id of the CREDENTIAL_KEYS key it is encrypted under' })
  keyId: string;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date, { description: 'When the value was last set; the age counts from here' })
  secretChangedAt: Date;

  @Field(() => Date, { nullable: true, description: 'Last time the gateway used it' })
  lastUsedAt: Date | null;

  @Field()
  createdBy: string;

  @Field(() => Int, { description: 'Whole days since the value was set' })
  ageDays: number;

  @Field({ description: 'Older than CREDENTIAL_MAX_AGE_DAYS (default 180): replace it' })
  stale: boolean;
}
