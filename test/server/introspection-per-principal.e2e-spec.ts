// Introspection answers each principal with the schema it may use: fields it can never read under
// any of its purposes (its token's narrowing included) and operations it lacks the permission for
// are marked "Not available to you" at the head of their description; nothing is hidden, so every
// principal's introspection lists the same types and fields, and the committed SDL stays the whole API.
import { getIntrospectionQuery } from 'graphql';
import { createToken } from '../../src/auth/api-token.service';
import { defaultPolicy } from '../../src/policy/default-policy';
import { Category, Purpose } from '../../src/policy/taxonomy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

interface IntrospectedType {
  name: string;
  fields: { name: string; description: string | null }[] | null;
}

const TYPES = `query Types { order: __type(name: "Order") { name fields { name description } } stock: __type(name: "InventorySnapshot") { name fields { name description } } query: __type(name: "Query") { name fields { name description } } }`;

describe('introspection per principal', () => {
  let db: TestDatabase;
  let gateway: TestGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    gateway = await startTestGateway(db, { env: { PARTNER_INTROSPECTION: 'true', PARTNER_PERSISTED_ONLY: 'false' } });
  });

  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  async function describeAs(token: string): Promise<Map<string, string>> {
    const response = await gateway.post(TYPES, { token });
    expect(response.body.errors).toBeUndefined();
    const descriptions = new Map<string, string>();
    for (const type of Object.values(response.body.data as Record<string, IntrospectedType>)) {
      for (const field of type.fields ?? []) descriptions.set(`${type.name}.${field.name}`, field.description ?? '');
    }
    return descriptions;
  }

  it("marks the PERSONAL fields an analyst can never read and the operations it may not run, and keeps what it can use plain", async () => {
    const fields = await describeAs(await testTokenFor(db.dataSource, 'analyst'));
    expect(fields.get('Order.shipPostalCode')).toMatch(/^\*\*Not available to you\*\* under any of your purposes \(under BUSINESS_ANALYSIS: .*under OPERATIONAL_REPORTING: analyst under OPERATIONAL_REPORTING: PERSONAL is denied\)/);
    expect(fields.get('Order.shipState')).toMatch(/^\*\*Not available to you\*\*/);
    // What it can read says how, and is not marked.
    expect(fields.get('Order.status')).not.toContain('Not available');
    expect(fields.get('Order.status')).toContain('For you: denied under BUSINESS_ANALYSIS, full under OPERATIONAL_REPORTING.');
    expect(fields.get('Order.orderTotal')).toContain('masked (ROUND) under OPERATIONAL_REPORTING');
    expect(fields.get('InventorySnapshot.fulfillable')).toContain('full under BUSINESS_ANALYSIS');
    // The policy's own facts stay below the mark.
    expect(fields.get('Order.shipPostalCode')).toContain('Sensitivity: **PERSONAL**');
    // Operations: by permission.
    expect(fields.get('Query.me')).not.toContain('Not available');
    expect(fields.get('Query.explainAccess')).toMatch(/^\*\*Not available to you\*\*: role analyst holds none of/);
  });

  it('shows compliance the same fields plain', async () => {
    const fields = await describeAs(await testTokenFor(db.dataSource, 'compliance'));
    expect(fields.get('Order.shipPostalCode')).not.toContain('Not available');
    expect(fields.get('Order.shipPostalCode')).toContain('For you: masked (REDACT) under COMPLIANCE_REVIEW');
    expect(fields.get('Query.explainAccess')).not.toContain('Not available');
  });

  it('marks the categories a partner token is not limited to', async () => {
    const { token } = await createToken(db.dataSource.manager, defaultPolicy(), {
      role: 'analyst',
      createdBy: 'test',
      partner: true,
      expiresInDays: 30,
      purposes: [Purpose.OPERATIONAL_REPORTING],
      categories: [Category.ORDERS],
    });
    const fields = await describeAs(token);
    expect(fields.get('Order.status')).toContain('For you: full under OPERATIONAL_REPORTING');
    expect(fields.get('InventorySnapshot.fulfillable')).toMatch(/^\*\*Not available to you\*\*/);
    // A partner runs no administrative operation.
    expect(fields.get('Query.explainAccess')).toMatch(/partner tokens run no administrative operation/);
  });

  it('lists the same types and fields to every principal (marks, never holes), and refuses it to no principal allowed to introspect', async () => {
    const shapes = async (token: string) => {
      const response = await gateway.post(getIntrospectionQuery(), { token });
      expect(response.body.errors).toBeUndefined();
      const types = (response.body.data as { __schema: { types: IntrospectedType[] } }).__schema.types;
      return types.map((type) => `${type.name}:${(type.fields ?? []).map((field) => field.name).join(',')}`).sort();
    };
    const analyst = await shapes(await testTokenFor(db.dataSource, 'analyst'));
    expect(analyst).toEqual(await shapes(await testTokenFor(db.dataSource, 'compliance')));
  });

  it('marks inside an operation that also asks for __typename, and a repeated request gets the same answer', async () => {
    const token = await testTokenFor(db.dataSource, 'ads_manager');
    const query = '{ __typename __type(name: "Order") { fields { name description } } }';
    const first = await gateway.post(query, { token });
    const second = await gateway.post(query, { token });
    expect(second.body).toEqual(first.body);
    const field = (first.body.data as { __type: IntrospectedType }).__type.fields!.find((item) => item.name === 'status')!;
    // ads_manager's one purpose is not one of ORDERS': every INTERNAL order field is out of reach.
    expect(field.description).toMatch(/^\*\*Not available to you\*\*.*ADVERTISING_MANAGEMENT is not a purpose of the ORDERS category/);
  });
});
