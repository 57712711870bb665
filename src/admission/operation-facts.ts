// What admission, governance and the audit log need to know about an operation's document, found
// in one walk per parsed document and schema (Apollo hands a repeated operation the same parsed
// document; a new policy builds a new schema): the field coordinates it selects, the categories
// they belong to, whether it introspects, whether a string literal holds NUL, and the document as
// the audit log may store it (string literals redacted).
import {
  BREAK,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { redactDocument } from '../audit/redact';
import { GOVERNANCE_EXTENSION } from '../policy/classification';
import { fieldRegistry } from '../policy/field-registry';

export interface OperationFacts {
  /**
   * `Type.field` of every selected field of an object type (a field selected on an interface or
   * union counts for each of its possible object types): what decisions are made on.
   */
  readonly objectFields: ReadonlySet<string>;
  /** `Type.field` as written (interfaces by their own name, `Query.__schema`), sorted: the audit record's fields. */
  readonly fields: readonly string[];
  /** The data categories the selected fields belong to, sorted. */
  readonly categories: readonly string[];
  /** Whether the operation selects a classified data field (then it needs a purpose). */
  readonly selectsData: boolean;
  /** Response keys of the root fields whose selection reads a classified data field (each needs a purpose). */
  readonly dataRoots: ReadonlySet<string>;
  /** Whether it selects `__schema` or `__type` at its root. */
  readonly introspection: boolean;
  /** Whether its root selects introspection fields only (`__schema`, `__type`, `__typename`). */
  readonly introspectionOnly: boolean;
  /** Whether its root selects only queries about the caller itself (e.g. `me`), open to every authenticated principal. */
  readonly selfOnly: boolean;
  /** Whether a string literal of the document holds NUL (PostgreSQL text cannot). */
  readonly nulInLiterals: boolean;
  /** The document printed with its string literals redacted (computed on first use). */
  readonly redactedDocument: string;
}

const cache = new WeakMap<OperationDefinitionNode, WeakMap<GraphQLSchema, WeakMap<DocumentNode, OperationFacts>>>();

/** The facts of `operation` in `document` against `schema`, found once and cached. */
export function operationFacts(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): OperationFacts {
  let bySchema = cache.get(operation);
  if (!bySchema) cache.set(operation, (bySchema = new WeakMap()));
  let byDocument = bySchema.get(schema);
  if (!byDocument) bySchema.set(schema, (byDocument = new WeakMap()));
  let facts = byDocument.get(document);
  if (!facts) byDocument.set(document, (facts = findFacts(schema, document, operation)));
  return facts;
}

function categoryOf(extensions: unknown): string | undefined {
  const governance = (extensions as Record<string, { category?: string } | undefined> | null | undefined)?.[GOVERNANCE_EXTENSION];
  return governance?.category;
}

function hasNulLiteral(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (!node.value.includes('\u0000')) return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

function findFacts(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): OperationFacts {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const queryType = schema.getQueryType();
  const objectFields = new Set<string>();
  const fields = new Set<string>();
  const categories = new Set<string>();
  const seen = new Set<string>();
  let introspection = false;
  let rootData = false;
  const rootFields = new Set<string>();
  // Per root field (response key): the object fields its own selection reads. A fragment shared
  // by two root fields counts for each.
  const byRoot = new Map<string, Set<string>>();

  const objectTypesOf = (type: GraphQLCompositeType): GraphQLCompositeType[] => (isAbstractType(type) ? [...schema.getPossibleTypes(type)] : [type]);

  const walk = (parent: GraphQLCompositeType, selectionSet: SelectionSetNode, atRoot: boolean, root: string) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === '__typename') continue;
        const rootKey = atRoot ? (selection.alias?.value ?? name) : root;
        let field: GraphQLField<unknown, unknown> | undefined;
        if (atRoot && name !== '__schema' && name !== '__type') {
          rootData = true;
          rootFields.add(`${parent.name}.${name}`);
        }
        if (name === '__schema' || name === '__type') {
          if (parent !== queryType) continue;
          introspection ||= atRoot;
          field = name === '__schema' ? SchemaMetaFieldDef : TypeMetaFieldDef;
          fields.add(`${parent.name}.${name}`);
          objectFields.add(`${parent.name}.${name}`);
          // Introspection types are walked no further: their coordinates say nothing about data.
          continue;
        }
        if (isObjectType(parent) || isInterfaceType(parent)) field = parent.getFields()[name];
        if (!field) continue;
        fields.add(`${parent.name}.${name}`);
        let reads = byRoot.get(rootKey);
        if (!reads) byRoot.set(rootKey, (reads = new Set()));
        for (const object of objectTypesOf(parent)) {
          if (isObjectType(object) && object.getFields()[name]) {
            objectFields.add(`${object.name}.${name}`);
            reads.add(`${object.name}.${name}`);
          }
        }
        const category = categoryOf(field.extensions) ?? categoryOf(parent.extensions);
        if (category) categories.add(category);
        const child = getNamedType(field.type);
        if (selection.selectionSet && isCompositeType(child)) {
          const key = `${rootKey}|${child.name}|${selection.selectionSet.loc?.start ?? ''}`;
          if (!seen.has(key) || !selection.selectionSet.loc) {
            seen.add(key);
            walk(child, selection.selectionSet, false, rootKey);
          }
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (condition && isCompositeType(condition)) walk(condition, selection.selectionSet, atRoot, root);
      } else {
        const fragment = fragments.get(selection.name.value);
        const key = `fragment:${root}:${selection.name.value}:${parent.name}`;
        if (!fragment || seen.has(key)) continue;
        seen.add(key);
        const condition = schema.getType(fragment.typeCondition.name.value);
        if (condition && isCompositeType(condition)) walk(condition, fragment.selectionSet, atRoot, root);
      }
    }
  };
  const root = schema.getRootType(operation.operation);
  if (root) walk(root, operation.selectionSet, true, '');
  let redacted: string | undefined;
  let selectsData: boolean | undefined;
  let dataRoots: Set<string> | undefined;
  let selfOnly: boolean | undefined;
  return {
    objectFields,
    // Frozen: shared by every request of the document (the audit record uses them as they are).
    fields: Object.freeze([...fields].sort()),
    categories: Object.freeze([...categories].sort()),
    get selectsData() {
      if (selectsData === undefined) {
        const registry = fieldRegistry(schema);
        selectsData = [...objectFields].some((coordinate) => registry.fields.has(coordinate));
      }
      return selectsData;
    },
    get dataRoots() {
      if (dataRoots === undefined) {
        const registry = fieldRegistry(schema);
        dataRoots = new Set([...byRoot].filter(([, reads]) => [...reads].some((coordinate) => registry.fields.has(coordinate))).map(([key]) => key));
      }
      return dataRoots;
    },
    introspection,
    introspectionOnly: introspection && !rootData,
    get selfOnly() {
      if (selfOnly === undefined) {
        const registry = fieldRegistry(schema);
        selfOnly = !introspection && rootFields.size > 0 && [...rootFields].every((coordinate) => registry.operations.get(coordinate)?.authenticated === true);
      }
      return selfOnly;
    },
    nulInLiterals: hasNulLiteral(document),
    get redactedDocument() {
      return (redacted ??= redactDocument(document));
    },
  };
}
