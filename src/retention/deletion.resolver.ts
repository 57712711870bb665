// Deletion requests over GraphQL (permission MANAGE_DELETION_REQUESTS: administrators, and
// compliance where the policy grants it); every operation is audited, with the order ids in its
// variables redacted like every identifier.
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { DeletionCertificate } from '../../entities/gateway/deletion-certificate.entity';
import type { DeletionRequest } from '../../entities/gateway/deletion-request.entity';
import { config } from '../config';
import type { RequestContext } from '../context';
import { badUserInput } from '../errors';
import { Allow } from '../policy/classification';
import { Permission } from '../policy/taxonomy';
import { decideDeletionRequest, executeDeletionRequest, findCertificate, isOverdue, listDeletionRequests, requestDeletion, verifyCertificate } from './deletion.service';
import { actorOf, certificateKeys, deletionSettings, toCounts } from './retention-settings';
import { CertificateVerificationType, DeletionCertificateType, DeletionDecisionType, DeletionRequestStateType, DeletionRequestType, RequestDeletionInput } from './retention.type';

const requestView = (request: DeletionRequest, now: Date): DeletionRequestType => ({ ...request, overdue: isOverdue(request, now) }) as DeletionRequestType;
const certificateView = (certificate: DeletionCertificate): DeletionCertificateType => ({ ...certificate, counts: toCounts(certificate.counts) });

@Resolver(() => DeletionRequestType)
export class DeletionRequestResolver {
  @Query(() => [DeletionRequestType], { description: 'Deletion requests, newest first; overdue: true lists those past their due date' })
  @Allow(Permission.MANAGE_DELETION_REQUESTS)
  async deletionRequests(
    @Ctx() ctx: RequestContext,
    @Arg('state', () => DeletionRequestStateType, { nullable: true }) state?: DeletionRequestStateType,
    @Arg('overdue', () => Boolean, { nullable: true }) overdue?: boolean,
  ): Promise<DeletionRequestType[]> {
    const now = ctx.now();
    return (await listDeletionRequests(ctx.db, { state, overdue, now, scope: ctx.scope })).map((request) => requestView(request, now));
  }

  @Query(() => DeletionCertificateType, { nullable: true, description: 'The certificate of an executed request' })
  @Allow(Permission.MANAGE_DELETION_REQUESTS)
  async deletionCertificate(@Ctx() ctx: RequestContext, @Arg('requestId', () => ID) requestId: string): Promise<DeletionCertificateType | null> {
    const certificate = await findCertificate(ctx.db, requestId, ctx.scope);
    return certificate ? certificateView(certificate) : null;
  }

  @Query(() => CertificateVerificationType, {
    description: 'Checks a deletion certificate (its JSON, as executeDeletionRequest or `deletion certificate --json` gave it): signature, contents, and that it is the one issued for an executed request',
  })
  @Allow(Permission.MANAGE_DELETION_REQUESTS)
  async verifyDeletionCertificate(@Ctx() ctx: RequestContext, @Arg('certificate', { description: 'The certificate as JSON' }) certificate: string): Promise<CertificateVerificationType> {
    if (certificate.length > 1_000_000) throw badUserInput('A certificate is at most 1 MB of JSON', { argumentName: 'certificate' });
    return verifyCertificate(ctx.db, certificate, certificateKeys(config()));
  }

  @Mutation(() => DeletionRequestType, { description: 'Receives a deletion request (state RECEIVED, due in 30 days; 72 hours when Amazon initiated it)' })
  @Allow(Permission.MANAGE_DELETION_REQUESTS)
  async requestDeletion(@Ctx() ctx: RequestContext, @Arg('input', () => RequestDeletionInput) input: RequestDeletionInput): Promise<DeletionRequestType> {
    const now = ctx.now();
    const request = await ctx.db.transaction((manager) =>
      requestDeletion(
        manager,
        { scope: { account: input.account, amazonOrderIds: input.amazonOrderIds }, reason: input.reason, requester: input.requester, source: input.source ?? undefined },
        { actor: actorOf(ctx), requestId: ctx.requestId, now, scope: ctx.scope },
        deletionSettings(config()),
      ),
    );
    return requestView(request, now);
  }

  @Mutation(() => DeletionRequestType, { description: 'Approves or rejects a RECEIVED request, with a reason' })
  @Allow(Permission.MANAGE_DELETION_REQUESTS)
  async decideDeletionRequest(
    @Ctx() ctx: RequestContext,
    @Arg('id', () => ID) id: string,
    @Arg('decision', () => DeletionDecisionType) decision: DeletionDecisionType,
    @Arg('reason') reason: string,
  ): Promise<DeletionRequestType> {
    const state = decision === DeletionDecisionType.APPROVED ? DeletionRequestStateType.APPROVED : DeletionRequestStateType.REJECTED;
    const now = ctx.now();
    const request = await ctx.db.transaction((manager) =>
      decideDeletionRequest(manager, id, state, reason, { actor: actorOf(ctx), requestId: ctx.requestId, now, scope: ctx.scope }, ctx.policy.deletion),
    );
    return requestView(request, now);
  }

  @Mutation(() => DeletionCertificateType, { description: 'Executes an APPROVED request (refused while a legal hold covers it) and returns its certificate' })
  @Allow(Permission.MANAGE_DELETION_REQUESTS)
  async executeDeletionRequest(@Ctx() ctx: RequestContext, @Arg('id', () => ID) id: string): Promise<DeletionCertificateType> {
    const now = ctx.now();
    const certificate = await ctx.db.transaction((manager) =>
      executeDeletionRequest(manager, id, { actor: actorOf(ctx), requestId: ctx.requestId, now, scope: ctx.scope }, certificateKeys(config()), ctx.policy.deletion),
    );
    return certificateView(certificate);
  }
}
