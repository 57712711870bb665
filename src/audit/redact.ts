// What of a request may enter the audit log. Variables keep only values that cannot identify an
// order, account or person: enums, booleans, numbers, dates (and page sizes, which are numbers).
// Ids, free text, cursors (they encode row values) and anything not typed are redacted.
// Documents are stored with their string literals redacted the same way.
import {
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  type OperationDefinitionNode,
  print,
  typeFromAST,
  visit,
} from 'graphql';

export const REDACTED = '[redacted]';

const NUMERIC_SCALARS = new Set(['Int', 'Float', 'Boolean']);
const DATE_SCALARS = new Set(['Date', 'DateTime', 'DateTimeISO', 'LocalDate', 'Timestamp', 'Time']);
const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const SAFE_KEY = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

function isDateString(value: unknown): value is string {
  return typeof value === 'string' && DATE_SHAPE.test(value);
}

/** A value whose type is not known: keep numbers, booleans and dates, redact the rest. */
function redactUntyped(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (isDateString(value)) return value;
  if (Array.isArray(value)) return value.map(redactUntyped);
  if (typeof value === 'object') {
    let unnamed = 0;
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [SAFE_KEY.test(key) ? key : `${REDACTED}#${(unnamed += 1)}`, redactUntyped(item)]),
    );
  }
  return REDACTED;
}

function redactTyped(type: GraphQLInputType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (isNonNullType(type)) return redactTyped(type.ofType, value);
  if (isListType(type)) return Array.isArray(value) ? value.map((item) => redactTyped(type.ofType, item)) : redactTyped(type.ofType, value);
  if (isEnumType(type)) return typeof value === 'string' && type.getValue(value) ? value : REDACTED;
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) return REDACTED;
    const fields = type.getFields();
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => {
        const field = fields[key];
        return field ? [key, redactTyped(field.type, item)] : [SAFE_KEY.test(key) ? key : REDACTED, redactUntyped(item)];
      }),
    );
  }
  if (isScalarType(type)) {
    if (NUMERIC_SCALARS.has(type.name) && (typeof value === 'number' || typeof value === 'boolean')) return value;
    if (DATE_SCALARS.has(type.name) && isDateString(value)) return value;
  }
  return REDACTED;
}

/** Variables as they may be stored: typed by the operation's variable definitions when known. */
export function redactVariables(
  variables: Record<string, unknown> | null | undefined,
  schema?: GraphQLSchema | null,
  operation?: OperationDefinitionNode | null,
): Record<string, unknown> | null {
  if (!variables || typeof variables !== 'object' || Array.isArray(variables)) return null;
  const types = new Map<string, GraphQLInputType>();
  if (schema && operation) {
    for (const definition of operation.variableDefinitions ?? []) {
      const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
      if (type) types.set(definition.variable.name.value, type);
    }
  }
  let unnamed = 0;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      const type = types.get(name);
      const key = SAFE_KEY.test(name) ? name : `${REDACTED}#${(unnamed += 1)}`;
      return [key, type ? redactTyped(type, value) : redactUntyped(value)];
    }),
  );
}

const redactedDocuments = new WeakMap<DocumentNode, string>();

/** The document printed with string literals redacted (enum, number and boolean literals kept). */
export function redactDocument(document: DocumentNode): string {
  // Apollo hands a repeated operation the same parsed document: print it once.
  let redacted = redactedDocuments.get(document);
  if (redacted === undefined) {
    redacted = printRedacted(document);
    redactedDocuments.set(document, redacted);
  }
  return redacted;
}

function printRedacted(document: DocumentNode): string {
  return print(
    visit(document, {
      [Kind.STRING]: (node) => (isDateString(node.value) ? undefined : { ...node, value: REDACTED, block: false }),
    }),
  );
}
