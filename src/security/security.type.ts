// GraphQL shapes of the security operations (administrative: no data category, no purpose).
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AmazonCredentialType } from './credentials/credentials.type';

@ObjectType('Suspension', { description: 'A principal suspended after suspicious activity, until an administrator reinstates it' })
export class SuspensionType {
  @Field(() => ID)
  id: string;

  @Field({ description: 'Token id or user subject' })
  principalId: string;

  @Field({ description: 'token or user' })
  principalKind: string;

  @Field(() => String, { nullable: true })
  principalRole: string | null;

  @Field({ description: 'The rule that fired, e.g. FORBIDDEN_BURST, BULK_READ, REVOKED_TOKEN_USE, IP_ALLOW_LIST_VIOLATION' })
  rule: string;

  @Field({ description: 'What was observed (counts and thresholds)' })
  reason: string;

  @Field(() => Date)
  suspendedAt: Date;

  @Field(() => String, { nullable: true, description: 'Request that crossed the threshold (see the audit log)' })
  requestId: string | null;

  @Field(() => Date, { nullable: true })
  reinstatedAt: Date | null;

  @Field(() => String, { nullable: true })
  reinstatedBy: string | null;

  @Field(() => String, { nullable: true })
  reviewNote: string | null;
}

export enum AccessReviewPrincipalKind {
  TOKEN = 'token',
  USER = 'user',
}
registerEnumType(AccessReviewPrincipalKind, { name: 'AccessReviewPrincipalKind', description: 'An API token or a single sign-on user' });

export enum AccessReviewStatus {
  ACTIVE = 'active',
  EXPIRED = 'expired',
  REVOKED = 'revoked',
  SUSPENDED = 'suspended',
}
registerEnumType(AccessReviewStatus, { name: 'AccessReviewStatus', description: 'Whether the principal can act now' });

@ObjectType('AccessReviewEntry', { description: 'One principal in an access review' })
export class AccessReviewEntryType {
  @Field()
  principalId: string;

  @Field(() => AccessReviewPrincipalKind)
  kind: AccessReviewPrincipalKind;

  @Field()
  name: string;

  @Field()
  role: string;

  @Field(() => [String])
  purposes: string[];

  @Field(() => [String], { nullable: true, description: 'null: not limited' })
  categories: string[] | null;

  @Field(() => [String], { nullable: true, description: 'null: not limited' })
  accounts: string[] | null;

  @Field(() => [String], { nullable: true, description: 'null: not limited' })
  marketplaces: string[] | null;

  @Field()
  partner: boolean;

  @Field(() => Date, { nullable: true, description: 'Token creation, or first audit record of a user' })
  createdAt: Date | null;

  @Field(() => Date, { nullable: true })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  expiresAt: Date | null;

  @Field(() => AccessReviewStatus)
  status: AccessReviewStatus;

  @Field(() => [String], { description: 'Granted purposes not used within the review window' })
  unusedPurposes: string[];

  @Field({ description: 'Candidate for revocation' })
  flagged: boolean;
}

@ObjectType('AccessReviewSignOff', { description: 'A recorded access review sign-off' })
export class AccessReviewSignOffType {
  @Field(() => ID)
  id: string;

  @Field()
  reviewer: string;

  @Field(() => Date)
  signedAt: Date;

  @Field(() => String, { nullable: true })
  note: string | null;

  @Field(() => Int)
  principals: number;

  @Field(() => Int)
  flagged: number;
}

@ObjectType('AccessReview', { description: 'Every principal with its grants; unused grants flagged' })
export class AccessReviewType {
  @Field(() => Date)
  generatedAt: Date;

  @Field(() => Int, { description: 'A grant unused this many days is flagged' })
  unusedDays: number;

  @Field(() => [AccessReviewEntryType])
  entries: AccessReviewEntryType[];

  @Field(() => Int)
  flagged: number;

  @Field(() => [AmazonCredentialType], { description: 'Stored Amazon credentials older than credentialMaxAgeDays (metadata only): replace them' })
  staleCredentials: AmazonCredentialType[];

  @Field(() => Int, { description: 'CREDENTIAL_MAX_AGE_DAYS' })
  credentialMaxAgeDays: number;

  @Field(() => AccessReviewSignOffType, { nullable: true, description: 'The latest sign-off' })
  lastSignOff: AccessReviewSignOffType | null;
}
