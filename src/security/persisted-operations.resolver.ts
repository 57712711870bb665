// `myPersistedOperations`: a (partner) token lists the operations registered for it, and only
// those. Open to every authenticated principal, like `me`; anyone but an API token has none.
import { Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../context';
import { AnyAuthenticated } from '../policy/classification';
import { listPersistedOperations } from './persisted-operations';

@ObjectType('PersistedOperation', { description: 'An operation registered for the calling token' })
export class PersistedOperationType {
  @Field({ description: 'SHA-256 of the registered text: send it as extensions.persistedQuery.sha256Hash, or send the document' })
  documentHash: string;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the normalized document (canonical print, selections sorted, __typename dropped): a re-printed copy matches' })
  normalizedHash: string | null;

  @Field(() => String, { nullable: true })
  operationName: string | null;

  @Field()
  document: string;

  @Field(() => Date)
  createdAt: Date;
}

@Resolver()
export class PersistedOperationsResolver {
  @Query(() => [PersistedOperationType], { description: 'The operations registered for the calling token (persisted operations), oldest first' })
  @AnyAuthenticated()
  async myPersistedOperations(@Ctx() ctx: RequestContext): Promise<PersistedOperationType[]> {
    if (ctx.principal?.kind !== 'token') return [];
    const rows = await listPersistedOperations(ctx.db, ctx.principal.id);
    return rows.map((row) => ({ documentHash: row.documentHash, normalizedHash: row.normalizedHash, operationName: row.operationName, document: row.document, createdAt: row.createdAt }));
  }
}
