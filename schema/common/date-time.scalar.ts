// DateTimeISO: an instant in UTC (graphql-scalars' DateTimeISO), which also takes a calendar date
// as input: `2026-10-01` means 2026-10-01T00:00:00.000Z, the start of that UTC day. So a range
// given in dates reads the same everywhere: `from` is the start of its day, and an exclusive `to`
// is the start of the day after the last one wanted (docs/clients.md, "Date ranges").
import { GraphQLDateTimeISO } from 'graphql-scalars';
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function startOfDay(value: unknown): unknown {
  return typeof value === 'string' && DATE_ONLY.test(value) ? `${value}T00:00:00.000Z` : value;
}

export const DateTimeISOScalar = new GraphQLScalarType<Date | null, string>({
  name: 'DateTimeISO',
  description: `${GraphQLDateTimeISO.description ?? ''} As input, a calendar date such as 2026-10-01 is also accepted and means the start of that day in UTC (2026-10-01T00:00:00.000Z).`,
  specifiedByURL: GraphQLDateTimeISO.specifiedByURL,
  serialize: (value) => GraphQLDateTimeISO.serialize(value) as string,
  parseValue: (value) => GraphQLDateTimeISO.parseValue(startOfDay(value)) as Date | null,
  parseLiteral: (ast: ValueNode, variables) =>
    GraphQLDateTimeISO.parseLiteral(ast.kind === Kind.STRING ? { ...ast, value: String(startOfDay(ast.value)) } : ast, variables) as Date | null,
  extensions: GraphQLDateTimeISO.extensions,
});

/** type-graphql's scalars map: every `Date` field and argument is a DateTimeISOScalar. */
export const SCALARS_MAP = [{ type: Date, scalar: DateTimeISOScalar }];
