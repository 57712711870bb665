// Administrative security operations (audited like every operation): suspensions and their
// review, the access review and its sign-off.
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import { config } from '../config';
import type { RequestContext } from '../context';
import { Allow } from '../policy/classification';
import { Permission } from '../policy/taxonomy';
import { buildAccessReview, lastSignOff, signOffAccessReview } from './access-review.service';
import { PersistedOperationsResolver } from './persisted-operations.resolver';
import { AccessReviewSignOffType, AccessReviewType, SuspensionType } from './security.type';
import { SuspensionService } from './suspension.service';

function actor(ctx: RequestContext): string {
  return `${ctx.principal!.kind}:${ctx.principal!.id}`;
}

@Resolver()
export class SecurityResolver {
  @Query(() => [SuspensionType], { description: 'Suspended principals, newest first (all, including reinstated, with `all: true`)' })
  @Allow(Permission.SUSPEND_PRINCIPALS)
  async suspensions(@Ctx() ctx: RequestContext, @Arg('all', () => Boolean, { defaultValue: false }) all: boolean): Promise<SuspensionType[]> {
    return new SuspensionService(ctx.db.connection, { cacheMs: 0 }).list({ all, scope: ctx.scope }, ctx.db);
  }

  @Mutation(() => SuspensionType, { description: 'Ends a suspension after review; effective from the next request' })
  @Allow(Permission.SUSPEND_PRINCIPALS)
  async reinstatePrincipal(
    @Ctx() ctx: RequestContext,
    @Arg('principalId', () => ID) principalId: string,
    @Arg('note', () => String, { description: 'What the review found' }) note: string,
  ): Promise<SuspensionType> {
    return new SuspensionService(ctx.db.connection, { cacheMs: 0, now: ctx.now, changes: ctx.changes }).reinstate(principalId, { by: actor(ctx), note, requestId: ctx.requestId, scope: ctx.scope });
  }

  @Query(() => AccessReviewType, { description: 'Access review: every principal, its grants, and grants unused within the window flagged (compliance, admin)' })
  @Allow(Permission.EXPLAIN_ACCESS, Permission.MANAGE_TOKENS)
  async accessReview(@Ctx() ctx: RequestContext): Promise<AccessReviewType> {
    const report = await buildAccessReview(ctx.db, ctx.policy, { now: ctx.now(), unusedDays: config().ACCESS_REVIEW_UNUSED_DAYS, scope: ctx.scope });
    // kind and status are GraphQL enums over the same lower-case values (the CSV keeps those).
    return { ...report, entries: report.entries as AccessReviewType['entries'], lastSignOff: await lastSignOff(ctx, ctx.db) };
  }

  // A sign-off covers the caller's row scope, as its report does: company-wide only when the caller
  // is not limited in scope; `lastSignOff` shows the latest within the caller's scope.
  @Mutation(() => AccessReviewSignOffType, { description: 'Records that the current access review was reviewed and signed off' })
  @Allow(Permission.EXPLAIN_ACCESS, Permission.MANAGE_TOKENS)
  async signOffAccessReview(@Ctx() ctx: RequestContext, @Arg('note', () => String, { nullable: true }) note: string | null): Promise<AccessReviewSignOffType> {
    const report = await buildAccessReview(ctx.db, ctx.policy, { now: ctx.now(), unusedDays: config().ACCESS_REVIEW_UNUSED_DAYS, scope: ctx.scope });
    return ctx.db.transaction((manager) => signOffAccessReview(manager, report, { reviewer: actor(ctx), scope: ctx.scope, note, requestId: ctx.requestId, now: ctx.now() }));
  }
}

/** Resolvers of the security operations (registered in src/server/schema.ts). */
export const securityResolvers: Function[] = [SecurityResolver, PersistedOperationsResolver];
