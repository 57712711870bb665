// Admission of per-root purposes (`@purpose(name:)`, src/policy/root-purpose.ts): where the
// directive may stand (root fields of a query), which purpose each root field is decided under,
// and that every purpose named is granted to the principal. The outcome is `ctx.rootPurposes`.
import { BREAK, getDirectiveValues, GraphQLError, Kind, visit, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../errors';
import type { Policy } from '../policy/policy';
import { PURPOSE_DIRECTIVE } from '../policy/root-purpose';
import type { Purpose } from '../policy/taxonomy';
import { assertPurposeGranted } from './admission';

export interface DeclaredRootPurposes {
  /** Response key -> the purpose its `@purpose` names (root fields that declare one). */
  declared: ReadonlyMap<string, Purpose>;
  /** Every root field's response key (introspection fields excepted). */
  rootKeys: readonly string[];
}

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
}

/**
 * The `@purpose` of each root field of `operation`. Refuses (BAD_USER_INPUT) the directive
 * anywhere but on a root field of a query, and one response key given two purposes (two selections
 * of the same root field, merged by GraphQL, must be decided under one). `allowed: false` (an
 * export, which runs under one purpose) refuses the directive altogether.
 */
export function declaredRootPurposes(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  allowed = true,
): DeclaredRootPurposes {
  const definition = schema.getDirective(PURPOSE_DIRECTIVE);
  if (!definition) return { declared: new Map(), rootKeys: [] };
  // Nearly every operation names no purpose of its own: its root keys are found once per operation.
  if (!usesPurposeDirective(document)) {
    let found = undeclaredRoots.get(operation);
    if (!found) undeclaredRoots.set(operation, (found = Object.freeze({ declared: new Map(), rootKeys: Object.freeze(rootKeysOf(document, operation)) })));
    return found;
  }
  const fragments = fragmentsOf(document);
  const roots = rootFieldsOf(fragments, operation);
  const rootNodes = new Set(roots.map((root) => root.node));
  // The directive anywhere else in the operation or a fragment it uses.
  let misplaced = false;
  const seen = new Set<string>();
  const check = (node: OperationDefinitionNode | FragmentDefinitionNode) => {
    visit(node, {
      Field(field) {
        if (field.directives?.some((directive) => directive.name.value === PURPOSE_DIRECTIVE) && (!rootNodes.has(field) || operation.operation !== 'query')) misplaced = true;
      },
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (!fragment || seen.has(fragment.name.value)) return;
        seen.add(fragment.name.value);
        check(fragment);
      },
    });
  };
  check(operation);
  const named = roots.filter((root) => root.node.directives?.some((directive) => directive.name.value === PURPOSE_DIRECTIVE));
  if (named.length > 0 && !allowed) throw badInput('@purpose cannot be used here: this runs under one purpose (X-Purpose)');
  if (misplaced) throw badInput('@purpose belongs on root fields of a query only: each root field, and everything under it, is decided under one purpose');
  if (named.length === 0) return { declared: new Map(), rootKeys: roots.map((root) => root.key).filter((key) => !key.startsWith('__')) };
  const declared = new Map<string, Purpose>();
  const undeclared = new Set<string>();
  for (const { key, node } of roots) {
    if (node.name.value.startsWith('__')) continue;
    const purpose = (getDirectiveValues(definition, node, variables) as { name?: Purpose } | undefined)?.name;
    const known = declared.get(key);
    if ((purpose && (known ? known !== purpose : undeclared.has(key))) || (!purpose && known)) {
      throw badInput(`The root field "${key}" is selected under two purposes: give each selection its own alias`);
    }
    if (purpose) declared.set(key, purpose);
    else undeclared.add(key);
  }
  return { declared, rootKeys: [...new Set(roots.map((root) => root.key))].filter((key) => !key.startsWith('__')) };
}

const purposeInDocument = new WeakMap<DocumentNode, boolean>();
const undeclaredRoots = new WeakMap<OperationDefinitionNode, DeclaredRootPurposes>();

/** Whether `@purpose` appears anywhere in `document` (parsed documents are cached and never change). */
function usesPurposeDirective(document: DocumentNode): boolean {
  let found = purposeInDocument.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      Directive(directive) {
        if (directive.name.value !== PURPOSE_DIRECTIVE) return undefined;
        found = true;
        return BREAK;
      },
    });
    purposeInDocument.set(document, found);
  }
  return found;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const node of document.definitions) if (node.kind === Kind.FRAGMENT_DEFINITION) fragments.set(node.name.value, node);
  return fragments;
}

/** The root fields of `operation` (through fragments), each with its response key, in document order. */
function rootFieldsOf(fragments: ReadonlyMap<string, FragmentDefinitionNode>, operation: OperationDefinitionNode): { key: string; node: FieldNode }[] {
  const roots: { key: string; node: FieldNode }[] = [];
  const visited = new Set<string>();
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) roots.push({ key: selection.alias?.value ?? selection.name.value, node: selection });
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
      else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || visited.has(fragment.name.value)) continue;
        visited.add(fragment.name.value);
        collect(fragment.selectionSet);
      }
    }
  };
  collect(operation.selectionSet);
  return roots;
}

/** Response keys of the root fields of `operation`, introspection fields excepted. */
function rootKeysOf(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  return [...new Set(rootFieldsOf(fragmentsOf(document), operation).map((root) => root.key))].filter((key) => !key.startsWith('__'));
}

/** Each root field's purpose (declared, else `purpose`), or undefined when the operation names none. */
export function rootPurposesOf(purpose: Purpose | null, roots: DeclaredRootPurposes): ReadonlyMap<string, Purpose> | undefined {
  if (roots.declared.size === 0) return undefined;
  const byKey = new Map<string, Purpose>();
  for (const key of roots.rootKeys) {
    const chosen = roots.declared.get(key) ?? purpose;
    if (chosen) byKey.set(key, chosen);
  }
  return byKey;
}

/** Every purpose the operation names must be granted to the principal: PURPOSE_NOT_GRANTED for the whole operation otherwise. */
export function admitRootPurposes(principal: Principal | null, policy: Policy, roots: DeclaredRootPurposes): void {
  if (!principal) return;
  for (const declared of new Set(roots.declared.values())) assertPurposeGranted(principal, policy, declared);
}
