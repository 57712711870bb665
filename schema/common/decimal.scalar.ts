import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

function parseDecimal(value: unknown): string {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !DECIMAL_PATTERN.test(text)) {
    throw new GraphQLError('Decimal must be a decimal number such as "12.34"', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return text;
}

/** Exact decimal (money), carried as a string so no float ever touches an amount. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'Exact decimal number serialized as a string, e.g. "1123.45" (money is never a float)',
  serialize: (value) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number') return String(value);
    throw new GraphQLError('Decimal cannot represent a non-numeric value');
  },
  parseValue: parseDecimal,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return parseDecimal(ast.value);
    throw new GraphQLError('Decimal must be a string or number literal', { extensions: { code: 'BAD_USER_INPUT' } });
  },
});
