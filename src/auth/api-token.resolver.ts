// Admin-only token management (permission MANAGE_TOKENS, no purpose); audited like every operation.
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../context';
import { Allow } from '../policy/classification';
import { Permission } from '../policy/taxonomy';
import { createToken, listTokens, revokeToken } from './api-token.service';
import { ApiTokenType, CreateApiTokenInput, CreatedApiTokenType } from './api-token.type';

@Resolver(() => ApiTokenType)
export class ApiTokenResolver {
  @Query(() => [ApiTokenType], { description: 'API tokens within the caller\'s scope, newest first (admin)' })
  @Allow(Permission.MANAGE_TOKENS)
  async apiTokens(@Ctx() ctx: RequestContext): Promise<ApiTokenType[]> {
    return (await listTokens(ctx.db, ctx.scope)) as ApiTokenType[];
  }

  @Mutation(() => CreatedApiTokenType, { description: 'Creates a token; the secret is returned once (admin)' })
  @Allow(Permission.MANAGE_TOKENS)
  async createApiToken(@Ctx() ctx: RequestContext, @Arg('input', () => CreateApiTokenInput) input: CreateApiTokenInput): Promise<CreatedApiTokenType> {
    const principal = ctx.principal!;
    const { token, record } = await createToken(ctx.db, ctx.policy, { ...input, createdBy: `${principal.kind}:${principal.id}`, creator: principal }, ctx.now());
    return { token, apiToken: record as ApiTokenType };
  }

  @Mutation(() => ApiTokenType, { description: 'Revokes a token; effective from the next request (admin)' })
  @Allow(Permission.MANAGE_TOKENS)
  async revokeApiToken(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<ApiTokenType> {
    const revoked = await revokeToken(ctx.db, id, ctx.scope, ctx.now());
    await ctx.changes?.publish({ kind: 'token-revoked', id: revoked.id });
    return revoked as ApiTokenType;
  }
}
