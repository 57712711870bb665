// One operation, several purposes: a root field of a query may declare its own purpose with the
// executable directive `@purpose(name: P)`; that root field and everything under it (fragments
// included) is decided under P only, the other root fields under `X-Purpose` (or the token's one
// bound purpose). Admission (src/admission/root-purposes.ts) reads the directives, refuses a purpose
// the principal is not granted, and records each root field's purpose on the request context
// (`ctx.rootPurposes`, by response key); `purposeOf` is the one place that says which purpose a
// field is decided under.
import { DirectiveLocation, GraphQLDirective, GraphQLNonNull, GraphQLSchema, isEnumType, type GraphQLResolveInfo } from 'graphql';

type Path = GraphQLResolveInfo['path'];
import type { RequestContext } from '../context';
import type { Purpose } from './taxonomy';

export const PURPOSE_DIRECTIVE = 'purpose';

/** The schema with `directive @purpose(name: Purpose!) on FIELD` (the gateway's schema, and its SDL). */
export function withPurposeDirective(schema: GraphQLSchema): GraphQLSchema {
  const purpose = schema.getType('Purpose');
  if (!isEnumType(purpose)) throw new Error('The schema has no Purpose enum');
  const directive = new GraphQLDirective({
    name: PURPOSE_DIRECTIVE,
    description:
      'The purpose of use this root field (and everything selected under it) is decided under, instead of X-Purpose: one operation may read under several purposes, each root field under exactly one. Root fields of a query only; every purpose named must be granted to the caller (else PURPOSE_NOT_GRANTED for the whole operation).',
    locations: [DirectiveLocation.FIELD],
    args: { name: { type: new GraphQLNonNull(purpose), description: 'A purpose the caller may declare' } },
  });
  const config = schema.toConfig();
  return new GraphQLSchema({ ...config, directives: [...config.directives, directive] });
}

/** The response key of the root field a field at `path` is selected under. */
export function rootKeyOf(path: Path): string {
  let top = path;
  while (top.prev) top = top.prev;
  return String(top.key);
}

/**
 * The purpose a field at `path` is decided under: its root field's `@purpose`, else the
 * operation's (`X-Purpose` or the token's bound purpose). Without a path: the operation's.
 */
export function purposeOf(ctx: RequestContext, path?: Path): Purpose | null {
  const roots = ctx.rootPurposes;
  if (!roots || !path) return ctx.purpose;
  return roots.get(rootKeyOf(path)) ?? ctx.purpose;
}
