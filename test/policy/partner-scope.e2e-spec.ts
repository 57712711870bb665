// A partner token limited to one marketplace cannot see, count or infer another marketplace's
// rows by any query of the schema: every list, lookup, aggregate and relation, under every
// (role, purpose) a partner could hold.
import { getNamedType, graphql, isObjectType, type GraphQLSchema } from 'graphql';
import { createToken } from '../../src/auth/api-token.service';
import { seedDemo } from '../../src/db/demo/seed-demo';
import { fieldRegistry, type FieldRegistry } from '../../src/policy/field-registry';
import { createMasker } from '../../src/policy/masks';
import { testContext, testPrincipal } from '../support/context';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { expectedResponse, printRoot, rootArgs, selectAll, type RootQuery } from './support/matrix';
import { buildUngovernedSchema, startPolicyGateway, TEST_PSEUDONYM_KEY, type PolicyGateway } from './support/policy-gateway';

jest.setTimeout(300_000);

/** Every `marketplaceId` anywhere in a response. */
function marketplaceIds(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => marketplaceIds(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'marketplaceId' && typeof inner === 'string') found.push(inner);
      else marketplaceIds(inner, found);
    }
  }
  return found;
}

describe('partner token limited to one marketplace', () => {
  let db: TestDatabase;
  let gateway: PolicyGateway;
  let schema: GraphQLSchema;
  let registry: FieldRegistry;
  let mine: string;
  let other: string;
  const partnerTokens: Record<string, string> = {};

  const run = async (source: string, marketplaces: string[] | null) => {
    const result = await graphql({ schema, source, contextValue: testContext(db.dataSource, { principal: testPrincipal({ marketplaces }) }) });
    if (result.errors) throw new Error(`${source}: ${result.errors.map((e) => e.message).join('; ')}`);
    return result.data as Record<string, unknown>;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedDemo(db.dataSource);
    schema = await buildUngovernedSchema();
    registry = fieldRegistry(schema);
    gateway = await startPolicyGateway(db, { policyOnly: true });
    const counts: { marketplace_id: string; n: string }[] = await db.dataSource.query('SELECT marketplace_id, count(*) AS n FROM amazon_order GROUP BY 1 ORDER BY 2 DESC');
    expect(counts.length).toBeGreaterThan(1);
    [mine, other] = [counts[0].marketplace_id, counts[1].marketplace_id];
    for (const [role, definition] of Object.entries(gateway.policy.roles)) {
      if (definition.permissions.length > 0) continue;
      partnerTokens[role] = (await createToken(db.dataSource.manager, gateway.policy, { role, partner: true, expiresInDays: 30, marketplaces: [mine], createdBy: 'test' })).token;
    }
  });
  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  it('sees only its marketplace in every list, lookup, aggregate and relation, under every purpose', async () => {
    const query = schema.getQueryType()!;
    const dataRoots = Object.values(query.getFields()).filter((field) => registry.fields.has(`Query.${field.name}`));
    const masker = createMasker(TEST_PSEUDONYM_KEY);
    let compared = 0;
    // Every purpose once (held by the first role that may declare it): each root is reached
    // under each purpose of its category.
    const pairs = new Map<string, string>();
    for (const [role, definition] of Object.entries(gateway.policy.roles)) {
      for (const purpose of definition.purposes) if (partnerTokens[role] && !pairs.has(purpose)) pairs.set(purpose, role);
    }
    for (const [purposeName, role] of pairs) {
      const token = partnerTokens[role];
      const definition = gateway.policy.roles[role];
      for (const purpose of definition.purposes.filter((candidate) => candidate === purposeName)) {
        const subject = { role, purposes: definition.purposes, categories: null };
        for (const field of dataRoots) {
          const named = getNamedType(field.type);
          const selection = isObjectType(named) ? selectAll(named) : [];
          const isLookup = !field.args.some((arg) => arg.name === 'first') && field.args.some((arg) => arg.name !== 'marketplace' && arg.type.toString().endsWith('!') && !['from', 'to', 'groupBy'].includes(arg.name));
          const context = `${role} ${purpose} ${field.name}`;
          if (isLookup) {
            // Look up a row of the other marketplace: it does not exist for the partner.
            const list = dataRoots.find((candidate) => {
              const type = getNamedType(candidate.type);
              return isObjectType(type) && type.getFields().nodes && getNamedType(type.getFields().nodes.type).name === named.name && candidate.args.some((a) => a.name === 'marketplace');
            });
            if (!list) continue;
            const listRoot: RootQuery = { field: list.name, args: { first: 1, marketplace: other }, selection: selectAll(getNamedType(list.type) as never) };
            const otherRow = ((await run(printRoot(listRoot), null))[list.name] as { nodes: Record<string, unknown>[] }).nodes[0];
            if (!otherRow) continue;
            const args = rootArgs(field, () => otherRow)!;
            const response = await gateway.post(printRoot({ field: field.name, args, selection: [{ field: '__typename' }] }), { token, purpose });
            const data = response.body.data as Record<string, unknown> | null;
            expect({ context, value: data?.[field.name] ?? null }).toEqual({ context, value: null });
            compared += 1;
            continue;
          }
          const hasFilter = field.args.some((arg) => arg.name === 'marketplace');
          const args = rootArgs(field, () => undefined);
          if (!args) continue;
          const root: RootQuery = { field: field.name, args, selection };
          const response = await gateway.post(printRoot(root), { token, purpose });
          const data = (response.body.data ?? null) as Record<string, unknown> | null;
          // No row, count or relation of another marketplace anywhere in the response.
          expect({ context, leaked: marketplaceIds(data).filter((id) => id !== mine && !id.includes('*')) }).toEqual({ context, leaked: [] });
          if (!hasFilter) continue;
          // Counts and aggregates equal those of the partner's marketplace alone.
          const reference = (await run(printRoot({ ...root, args: { ...args, marketplace: mine } }), [mine]))[field.name];
          const expected = expectedResponse(schema, registry, gateway.policy, masker, subject, purpose, field.name, selection, reference);
          expect({ context, data }).toEqual({ context, data: expected.data });
          // Asking for the other marketplace explicitly yields nothing.
          const asked = await gateway.post(printRoot({ field: field.name, args: { ...args, marketplace: other }, selection }), { token, purpose });
          const askedValue = (asked.body.data as Record<string, any> | null)?.[field.name];
          if (askedValue) {
            if ('totalCount' in askedValue) expect({ context, total: askedValue.totalCount }).toEqual({ context, total: 0 });
            if ('nodes' in askedValue) expect({ context, nodes: askedValue.nodes }).toEqual({ context, nodes: [] });
            if ('groups' in askedValue) expect({ context, groups: askedValue.groups, suppressed: askedValue.suppressedGroups }).toEqual({ context, groups: [], suppressed: 0 });
          }
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(50);
  });
});
