// Paging an export through a Relay connection: when the exported query's root field is a
// connection (it takes `after` and its type has `pageInfo`), the document is rewritten once so its
// root field reads `after` from an internal variable and also selects `pageInfo { hasNextPage
// endCursor }` under an internal alias. The export runs it page after page, each page starting
// after the previous page's `endCursor`, as a client paging through /graphql would. The internal
// alias is removed from each page's result before its rows are taken, so rows are unchanged.
import {
  getNamedType,
  getNullableType,
  getVariableValues,
  GraphQLError,
  GraphQLObjectType,
  isObjectType,
  Kind,
  parse,
  parseType,
  valueFromAST,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type VariableDefinitionNode,
} from 'graphql';
import { ErrorCode } from '../errors';

/** The rewritten document of a connection export and how to read its paging state. */
export interface ConnectionPaging {
  /** The exported document, its root field's `after` read from `afterVariable`, `pageInfo` selected as `pageInfoKey`. */
  document: DocumentNode;
  /** Response key of the root field (its alias, else its name). */
  rootKey: string;
  /** Coordinate of the root field, e.g. `Query.orders`. */
  coordinate: string;
  afterVariable: string;
  pageInfoKey: string;
  /** Where the first page starts: the `after` the exported document gives (null: the beginning). */
  firstAfter: string | null;
}

export interface PageInfoRead {
  hasNextPage: boolean;
  endCursor: string | null;
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

/** Whether `field` is a Relay connection: an `after` argument and a type whose `pageInfo` has `hasNextPage` and `endCursor`. */
export function isConnectionField(field: GraphQLField<unknown, unknown>): boolean {
  if (!field.args.some((arg) => arg.name === 'after')) return false;
  const type = getNamedType(field.type);
  if (!isObjectType(type)) return false;
  const pageInfo = type.getFields().pageInfo;
  if (!pageInfo) return false;
  const info = getNamedType(pageInfo.type);
  return isObjectType(info) && 'hasNextPage' in info.getFields() && 'endCursor' in info.getFields();
}

/** The root fields an operation selects, through fragments too (with whether one came through a fragment). */
function rootFields(selections: readonly SelectionNode[], fragments: Map<string, FragmentDefinitionNode>, viaFragment: boolean, into: { node: FieldNode; viaFragment: boolean }[], seen = new Set<string>()): void {
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) into.push({ node: selection, viaFragment });
    else if (selection.kind === Kind.INLINE_FRAGMENT) rootFields(selection.selectionSet.selections, fragments, true, into, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) rootFields(fragment.selectionSet.selections, fragments, true, into, seen);
    }
  }
}

/** `base`, or `base2`, `base3`... whichever the document's text does not contain (so it cannot clash with a user's name). */
function unusedName(base: string, text: string): string {
  let name = base;
  for (let n = 2; text.includes(name); n += 1) name = `${base}${n}`;
  return name;
}

/**
 * The paging of `operation` when its root field is a connection, else null (one execution, as
 * for any other root). `variables` are the exported query's; `text` its document's text.
 */
export function connectionPaging(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null,
  text: string,
): ConnectionPaging | null {
  const queryType = schema.getQueryType() as GraphQLObjectType;
  const fragments = new Map(document.definitions.filter((definition): definition is FragmentDefinitionNode => definition.kind === Kind.FRAGMENT_DEFINITION).map((fragment) => [fragment.name.value, fragment]));
  const found: { node: FieldNode; viaFragment: boolean }[] = [];
  rootFields(operation.selectionSet.selections, fragments, false, found);
  const connections = found.filter(({ node }) => {
    const field = queryType.getFields()[node.name.value];
    return field !== undefined && isConnectionField(field);
  });
  if (connections.length === 0) return null;
  const direct = operation.selectionSet.selections;
  if (found.length !== 1 || direct.length !== 1 || direct[0] !== connections[0].node) {
    // Paging rewrites one root field: a connection among several, or in a fragment, could be cut to one page.
    throw badInput(
      `An export pages through the connection ${connections[0].node.name.value}: select it once, directly at the root of the query (no other root field, no fragment at the root)`,
    );
  }
  const node = connections[0].node;
  const field = queryType.getFields()[node.name.value]!;
  const afterArgument = field.args.find((arg) => arg.name === 'after')!;

  let firstAfter: string | null = null;
  const given = node.arguments?.find((argument) => argument.name.value === 'after');
  if (given) {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
    // Variables that do not coerce: the first page's execution refuses them as GraphQL would.
    if (!coerced.errors) {
      const value = valueFromAST(given.value, afterArgument.type, coerced.coerced);
      firstAfter = typeof value === 'string' ? value : null;
    }
  }

  const afterVariable = unusedName('sellergateExportAfter', text);
  const pageInfoKey = unusedName('sellergateExportPageInfo', text);
  const argument: ArgumentNode = {
    kind: Kind.ARGUMENT,
    name: { kind: Kind.NAME, value: 'after' },
    value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: afterVariable } },
  };
  const definition: VariableDefinitionNode = {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: afterVariable } },
    // The argument's own type without `!`: the first page may start at the beginning (null).
    type: parseType(String(getNullableType(afterArgument.type))),
  };
  const [pageInfo] = (parse(`{ ${pageInfoKey}: pageInfo { hasNextPage endCursor } }`).definitions[0] as OperationDefinitionNode).selectionSet.selections;
  const root: FieldNode = {
    ...node,
    arguments: [...(node.arguments ?? []).filter((argument) => argument.name.value !== 'after'), argument],
    selectionSet: { kind: Kind.SELECTION_SET, selections: [...(node.selectionSet?.selections ?? []), pageInfo] },
  };
  const rewritten: OperationDefinitionNode = {
    ...operation,
    variableDefinitions: [...(operation.variableDefinitions ?? []), definition],
    selectionSet: { ...operation.selectionSet, selections: [root] },
  };
  return {
    document: { ...document, definitions: document.definitions.map((each) => (each === operation ? rewritten : each)) },
    rootKey: node.alias?.value ?? node.name.value,
    coordinate: `${queryType.name}.${field.name}`,
    afterVariable,
    pageInfoKey,
    firstAfter,
  };
}

/**
 * Takes the internal `pageInfo` out of a page's (JSON) result and returns it; the result is left
 * as the exported document alone would have given it. Null when the root value is not an object.
 */
export function takePageInfo(data: Record<string, unknown>, paging: ConnectionPaging): PageInfoRead | null {
  const root = data[paging.rootKey];
  if (root === null || typeof root !== 'object' || Array.isArray(root)) return null;
  const holder = root as Record<string, unknown>;
  const info = holder[paging.pageInfoKey] as { hasNextPage?: unknown; endCursor?: unknown } | null | undefined;
  delete holder[paging.pageInfoKey];
  if (!info) return null;
  return { hasNextPage: info.hasNextPage === true, endCursor: typeof info.endCursor === 'string' ? info.endCursor : null };
}
