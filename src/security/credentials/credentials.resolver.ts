// Administrative operations on the stored Amazon credentials: metadata and removal. Values are set
// from the command line (`sellergate credentials set`), never through GraphQL, and never returned.
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { config } from '../../config';
import type { RequestContext } from '../../context';
import { badUserInput } from '../../errors';
import { Allow } from '../../policy/classification';
import { Permission } from '../../policy/taxonomy';
import { AmazonCredentialType } from './credentials.type';
import { createCredentialVault } from './vault';

@Resolver()
export class CredentialResolver {
  @Query(() => [AmazonCredentialType], { description: 'Stored Amazon API credentials (metadata only; values are never returned), stale ones flagged' })
  @Allow(Permission.MANAGE_CREDENTIALS)
  async amazonCredentials(
    @Ctx() ctx: RequestContext,
    @Arg('staleOnly', () => Boolean, { defaultValue: false, description: 'Only those older than CREDENTIAL_MAX_AGE_DAYS' }) staleOnly: boolean,
    @Arg('sellerAccountId', () => String, { nullable: true }) sellerAccountId: string | null,
  ): Promise<AmazonCredentialType[]> {
    return createCredentialVault(config(), ctx.now).list(ctx.db, { staleOnly, sellerAccountId: sellerAccountId ?? undefined }, ctx.scope);
  }

  @Mutation(() => AmazonCredentialType, { description: 'Deletes a stored Amazon credential at once (recorded as an administrative action)' })
  @Allow(Permission.MANAGE_CREDENTIALS)
  async removeAmazonCredential(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<AmazonCredentialType> {
    const actor = `${ctx.principal!.kind}:${ctx.principal!.id}`;
    const removed = await ctx.db.transaction((manager) => createCredentialVault(config(), ctx.now).remove(manager, id, { actor, requestId: ctx.requestId, scope: ctx.scope }));
    if (!removed) throw badUserInput(`No Amazon credential ${id}`, { argument: 'id' });
    return removed;
  }
}

/** Resolvers of the credential vault (registered in src/server/schema.ts). */
export const credentialResolvers: Function[] = [CredentialResolver];
