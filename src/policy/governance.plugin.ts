// Operation-level governance, before execution (DESIGN.md "The decision"): authentication
// outcome, declared purpose, purpose required for data, purpose granted to the principal. Adds
// `extensions.governance` (policy version, purpose, masked and denied coordinates) to every response.
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { unauthenticated } from '../auth/authenticate';
import type { RequestContext } from '../context';
import { ErrorCode } from '../errors';
import { fieldRegistry } from './field-registry';
import type { Policy } from './policy';
import { selectedCoordinates } from './selection';
import { ALL_PURPOSES, isPurpose, type Purpose } from './taxonomy';

/** The purpose a request acts under, or the refusal (thrown), given what the operation selects. */
export function resolvePurpose(ctx: RequestContext, policy: Policy, selectsData: boolean): Purpose | null {
  const principal = ctx.principal!;
  const declared = ctx.declaredPurpose?.trim() || null;
  let purpose: Purpose | null = null;
  if (declared !== null) {
    if (!isPurpose(declared)) {
      throw new GraphQLError(`Unknown purpose "${declared}" in X-Purpose; valid purposes: ${ALL_PURPOSES.join(', ')}`, {
        extensions: { code: ErrorCode.BAD_USER_INPUT, validPurposes: ALL_PURPOSES },
      });
    }
    purpose = declared;
  } else if (principal.kind === 'token' && principal.purposes.length === 1) {
    // A token bound to a single purpose declares it implicitly.
    purpose = principal.purposes[0];
  }
  if (purpose === null) {
    if (!selectsData) return null;
    throw new GraphQLError('This operation reads data: declare the purpose of use with the X-Purpose header', {
      extensions: { code: ErrorCode.PURPOSE_REQUIRED, grantedPurposes: principal.purposes },
    });
  }
  const role = policy.roles[principal.role];
  if (!role || !role.purposes.includes(purpose) || !principal.purposes.includes(purpose)) {
    throw new GraphQLError(`Purpose ${purpose} is not granted to this principal (role ${principal.role})`, {
      extensions: { code: ErrorCode.PURPOSE_NOT_GRANTED, purpose, grantedPurposes: principal.purposes },
    });
  }
  return purpose;
}

/**
 * Governance of operations: refusals before execution and the response's governance extension,
 * under the request's policy (`ctx.policy`, one version for the whole request).
 */
export function governancePlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(request: GraphQLRequestContext<RequestContext>) {
          const ctx = request.contextValue;
          if (ctx.authError || !ctx.principal) throw unauthenticated();
          const registry = fieldRegistry(request.schema);
          const selected = request.operation && request.document ? selectedCoordinates(request.schema, request.document, request.operation) : new Set<string>();
          const selectsData = [...selected].some((coordinate) => registry.fields.has(coordinate));
          ctx.purpose = resolvePurpose(ctx, ctx.policy, selectsData);
        },
        async willSendResponse(request: GraphQLRequestContext<RequestContext>) {
          const body = request.response.body;
          if (body?.kind !== 'single') return;
          const ctx = request.contextValue;
          const governance: Record<string, unknown> = {
            policyVersion: ctx.policy.version,
            purpose: ctx.purpose,
            masked: [...ctx.governance.masked].sort(),
            denied: [...ctx.governance.denied].sort(),
          };
          if (ctx.governance.suppressedGroups > 0) governance.suppressedGroups = ctx.governance.suppressedGroups;
          const result = body.singleResult;
          result.extensions = { ...result.extensions, governance };
        },
      };
    },
  };
}
