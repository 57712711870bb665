// A filter or sort argument reveals the field it compares: an equality filter confirms a value, an
// order ranks it. Such arguments are accepted only from requests that read the field in full
// (`requireFullRead` / `fullReadFilter` in src/policy/argument-access.ts); everyone else gets
// FORBIDDEN naming the field, recorded as denied. This spec derives from the schema and the
// policies which arguments of the lists compare a field some role may not read in full, requires
// each to be declared below, and checks every declared one over HTTP for every role and purpose,
// under the shipped policy and under one where no role reads identifiers in full (operators edit
// the policy: the system logs' request ids and principals are then hidden too).
// Lookups (`order(amazonOrderId)`, `listing(sellerAccountId)`, ...) are covered by the access
// matrix, `account:` filters by account-filter.e2e-spec.ts.
import {
  getNamedType,
  graphql,
  isEnumType,
  isInputObjectType,
  isObjectType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLSchema,
} from 'graphql';
import { seedDemo } from '../../src/db/demo/seed-demo';
import { decide, DecisionRule } from '../../src/policy/decide';
import { DEFAULT_POLICY_DOCUMENT, defaultPolicy } from '../../src/policy/default-policy';
import { fieldRegistry, type FieldRegistry } from '../../src/policy/field-registry';
import { parsePolicy, type Policy } from '../../src/policy/policy';
import type { Purpose } from '../../src/policy/taxonomy';
import { testContext } from '../support/context';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { buildUngovernedSchema, startPolicyGateway, type PolicyGateway } from './support/policy-gateway';

jest.setTimeout(300_000);

/** A list argument that compares a field: `argument` is `name`, `input.name`, or `sortBy: VALUE`. */
interface RevealingArgument {
  root: string;
  argument: string;
  coordinate: string;
}

/** Every argument of a list that compares a field some role may not read in full, under one of the two policies. */
const REVEALING: RevealingArgument[] = [
  { root: 'orders', argument: 'sortBy: LAST_UPDATE_DATE', coordinate: 'Order.lastUpdateDate' },
  { root: 'returns', argument: 'amazonOrderId', coordinate: 'OrderReturn.amazonOrderId' },
  { root: 'refunds', argument: 'orderId', coordinate: 'Refund.orderId' },
  { root: 'apiCallLogs', argument: 'requestId', coordinate: 'ApiCallLog.requestId' },
  { root: 'systemEvents', argument: 'requestId', coordinate: 'SystemEvent.requestId' },
  { root: 'userActions', argument: 'actor', coordinate: 'UserAction.actor' },
  { root: 'userActions', argument: 'requestId', coordinate: 'UserAction.requestId' },
  { root: 'auditRecords', argument: 'filter.principal', coordinate: 'AuditRecord.principalId' },
  { root: 'auditRecords', argument: 'filter.requestId', coordinate: 'AuditRecord.requestId' },
];

/** Filtered by `accountFilter` (pseudonyms as seen), tested in account-filter.e2e-spec.ts. */
const ACCOUNT_ARGUMENT = 'account';

/** The shipped policy with every identifier grant `masked` (none in full). */
function identifiersMaskedPolicy(): Policy {
  const document = structuredClone(DEFAULT_POLICY_DOCUMENT);
  for (const role of Object.values(document.roles)) {
    for (const grant of Object.values(role.grants ?? {})) if (grant && grant.IDENTIFIER === 'full') grant.IDENTIFIER = 'masked';
  }
  return parsePolicy({ ...document, version: 'identifiers-masked-1' });
}

function readsInFull(policy: Policy, registry: FieldRegistry, role: string, purpose: Purpose, coordinate: string): boolean {
  const subject = { role, purposes: policy.roles[role].purposes, categories: null };
  const decision = decide(policy, subject, purpose, registry.fields.get(coordinate)!, registry.fields);
  return decision.effect === 'allow' && !decision.mask && decision.rule !== DecisionRule.AGGREGATE_THRESHOLD;
}

function mayReadRoot(policy: Policy, registry: FieldRegistry, role: string, purpose: Purpose, root: string): boolean {
  const subject = { role, purposes: policy.roles[role].purposes, categories: null };
  return decide(policy, subject, purpose, registry.fields.get(`Query.${root}`)!, registry.fields).effect !== 'deny';
}

/** The node type of a list root (connection `nodes`), or undefined. */
function nodeTypeOf(field: GraphQLField<unknown, unknown>): string | undefined {
  const named = getNamedType(field.type);
  if (!isObjectType(named) || !named.getFields().nodes) return undefined;
  return getNamedType(named.getFields().nodes.type).name;
}

/** Field names an argument of this name compares (`orderId` <- Refund.orderId, `principal` <- principalId, `sku` <- sellerSku). */
function comparedFieldNames(name: string): string[] {
  return [name, `${name}Id`, `seller${name[0].toUpperCase()}${name.slice(1)}`];
}

/** Every (root, argument, coordinate) of the schema's lists whose argument compares a classified field. */
function comparingArguments(schema: GraphQLSchema, registry: FieldRegistry): RevealingArgument[] {
  const found: RevealingArgument[] = [];
  for (const field of Object.values(schema.getQueryType()!.getFields())) {
    const nodeType = nodeTypeOf(field);
    if (!nodeType) continue;
    const compare = (argument: string, name: string) => {
      for (const candidate of comparedFieldNames(name)) {
        const coordinate = `${nodeType}.${candidate}`;
        if (registry.fields.has(coordinate)) found.push({ root: field.name, argument, coordinate });
      }
    };
    const visit = (arg: GraphQLArgument | GraphQLInputField, prefix: string) => {
      const type = getNamedType(arg.type);
      if (isInputObjectType(type)) {
        for (const inner of Object.values(type.getFields())) visit(inner, `${prefix}${arg.name}.`);
      } else if (isEnumType(type) && arg.name === 'sortBy') {
        for (const value of type.getValues()) {
          const coordinate = `${nodeType}.${String(value.value)}`;
          if (registry.fields.has(coordinate)) found.push({ root: field.name, argument: `sortBy: ${value.name}`, coordinate });
        }
      } else if (!['first', 'last', 'after', 'before', 'from', 'to', 'direction'].includes(arg.name)) {
        compare(`${prefix}${arg.name}`, arg.name);
      }
    };
    for (const arg of field.args) visit(arg, '');
  }
  return found;
}

/** `name: "value"`, `input: { name: "value" }` or `sortBy: VALUE`. */
function printArgument(argument: string, value: string): string {
  if (argument.startsWith('sortBy: ')) return argument;
  const [outer, inner] = argument.split('.');
  return inner ? `${outer}: { ${inner}: ${JSON.stringify(value)} }` : `${outer}: ${JSON.stringify(value)}`;
}

describe('filter and sort arguments reveal a field only to those who read it in full', () => {
  let db: TestDatabase;
  let schema: GraphQLSchema;
  let registry: FieldRegistry;
  const policies = { shipped: defaultPolicy(), 'identifiers masked': identifiersMaskedPolicy() };
  const gateways = new Map<keyof typeof policies, PolicyGateway>();
  /** A stored value of each declared argument's field (a made-up one where the demo has none). */
  const values = new Map<RevealingArgument, { value: string; stored: boolean }>();

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.dataSource);
    schema = await buildUngovernedSchema();
    registry = fieldRegistry(schema);
    for (const entry of REVEALING) {
      const field = entry.coordinate.split('.')[1];
      const source = `{ ${entry.root}(first: 1) { nodes { ${field} } } }`;
      const category = registry.fields.get(`Query.${entry.root}`)!.category;
      let stored: unknown;
      for (const purpose of policies.shipped.categories[category]) {
        const result = await graphql({ schema, source, contextValue: testContext(db.dataSource, { purpose }) });
        stored = (result.data?.[entry.root] as { nodes: Record<string, unknown>[] } | undefined)?.nodes[0]?.[field];
        if (!result.errors) break;
      }
      values.set(entry, typeof stored === 'string' ? { value: stored, stored: true } : { value: 'not-stored-0001', stored: false });
    }
    // Started after the reference reads: once a schema is governed in this process, services
    // check their arguments against its policy.
    for (const [name, policy] of Object.entries(policies) as [keyof typeof policies, Policy][]) gateways.set(name, await startPolicyGateway(db, { policyOnly: true, policy }));
  });
  afterAll(async () => {
    for (const gateway of gateways.values()) await gateway.stop();
    await db?.close();
  });

  it('declares every list argument that compares a field some role may not read in full', () => {
    const hidden = comparingArguments(schema, registry).filter((entry) =>
      entry.argument !== ACCOUNT_ARGUMENT &&
      Object.values(policies).some((policy) => Object.keys(policy.roles).some((role) => policy.roles[role].purposes.some((purpose) =>
        mayReadRoot(policy, registry, role, purpose, entry.root) && !readsInFull(policy, registry, role, purpose, entry.coordinate)))),
    );
    const key = (entry: RevealingArgument) => `${entry.root}(${entry.argument}) ${entry.coordinate}`;
    expect([...new Set(hidden.map(key))].sort()).toEqual(REVEALING.map(key).sort());
  });

  const cases = REVEALING.flatMap((entry) => (Object.keys(policies) as (keyof typeof policies)[]).map((name) => [`${entry.root}(${entry.argument}), ${name} policy`, entry, name] as const));
  it.each(cases)('%s: FORBIDDEN unless read in full, for every role and purpose', async (_name, entry, policyName) => {
    const policy = policies[policyName];
    const gateway = gateways.get(policyName)!;
    const { value, stored } = values.get(entry)!;
    let refused = 0;
    let served = 0;
    for (const [role, definition] of Object.entries(policy.roles)) {
      for (const purpose of definition.purposes) {
        if (!mayReadRoot(policy, registry, role, purpose, entry.root)) continue;
        const response = await gateway.post(`{ ${entry.root}(first: 5, ${printArgument(entry.argument, value)}) { nodes { __typename } } }`, { token: gateway.tokens[role], purpose });
        const context = `${role} ${purpose}`;
        const errors = (response.body.errors ?? []).map((error) => `${String(error.extensions?.code)} ${String(error.extensions?.coordinate)}`);
        const governance = response.body.extensions?.governance as { denied: string[] } | undefined;
        const nodes = (response.body.data?.[entry.root] as { nodes: unknown[] } | null | undefined)?.nodes ?? null;
        if (readsInFull(policy, registry, role, purpose, entry.coordinate)) {
          expect({ context, errors }).toEqual({ context, errors: [] });
          // The stored value finds its row (a sort has no value: it returns the list).
          if (stored) expect({ context, found: (nodes?.length ?? 0) > 0 }).toEqual({ context, found: true });
          served += 1;
        } else {
          expect({ context, errors, nodes, denied: governance?.denied.includes(entry.coordinate) }).toEqual({
            context,
            errors: [`FORBIDDEN ${entry.coordinate}`],
            nodes: null,
            denied: true,
          });
          refused += 1;
        }
      }
    }
    // Every declared argument is refused to someone under the identifiers-masked policy, and
    // each policy lets someone read every list.
    if (policyName === 'identifiers masked') expect(refused).toBeGreaterThan(0);
    expect(refused + served).toBeGreaterThan(0);
  });
});
