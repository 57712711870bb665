// `me`: every authenticated principal can ask what it is and what each of its purposes grants,
// with no permission and no purpose; the effects are the decision function's.
import { Purpose } from '../../src/policy/taxonomy';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedTestCatalog, testTokenFor } from '../support/fixtures';
import { startTestGateway, type TestGateway } from '../support/gateway';

const ME = `query Me {
  me {
    kind role purposes declaredPurpose categories accounts marketplaces partner expiresAt policyVersion
    access { purpose categories { category purposeOfCategory sensitivities { sensitivity effect rule } } }
  }
}`;

interface MeBody {
  me: {
    kind: string;
    role: string;
    purposes: string[];
    declaredPurpose: string | null;
    accounts: string[] | null;
    partner: boolean;
    expiresAt: string | null;
    policyVersion: string;
    access: { purpose: string; categories: { category: string; purposeOfCategory: boolean; sensitivities: { sensitivity: string; effect: string; rule: string }[] }[] }[];
  };
}

function effects(me: MeBody['me'], purpose: string, category: string): Record<string, string> {
  const entry = me.access.find((access) => access.purpose === purpose)?.categories.find((item) => item.category === category);
  return Object.fromEntries((entry?.sensitivities ?? []).map((item) => [item.sensitivity, item.effect]));
}

describe('me', () => {
  let db: TestDatabase;
  let gateway: TestGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    await seedTestCatalog(db.dataSource);
    gateway = await startTestGateway(db);
  });

  afterAll(async () => {
    await gateway?.stop();
    await db?.close();
  });

  it('tells an analyst its role, purposes and what each purpose grants, with no purpose declared', async () => {
    const token = await testTokenFor(db.dataSource, 'analyst');
    const response = await gateway.post(ME, { token });
    expect(response.body.errors).toBeUndefined();
    const me = (response.body.data as unknown as MeBody).me;
    expect(me).toMatchObject({ kind: 'token', role: 'analyst', declaredPurpose: null, accounts: null, partner: false });
    expect([...me.purposes].sort()).toEqual(['BUSINESS_ANALYSIS', 'OPERATIONAL_REPORTING']);
    expect(me.policyVersion).toBe(gateway.policy.version);
    // DESIGN.md: analyst -> IDENTIFIER masked, CONFIDENTIAL masked, PERSONAL deny; INTERNAL full.
    expect(effects(me, 'OPERATIONAL_REPORTING', 'ORDERS')).toEqual({ PUBLIC: 'ALLOW', INTERNAL: 'ALLOW', CONFIDENTIAL: 'MASK', IDENTIFIER: 'MASK', PERSONAL: 'DENY' });
    // A purpose outside the category reads only PUBLIC fields there.
    expect(effects(me, 'OPERATIONAL_REPORTING', 'ADVERTISING')).toEqual({ PUBLIC: 'ALLOW', INTERNAL: 'DENY', CONFIDENTIAL: 'DENY', IDENTIFIER: 'DENY', PERSONAL: 'DENY' });
    const advertising = me.access.find((a) => a.purpose === 'OPERATIONAL_REPORTING')!.categories.find((c) => c.category === 'ADVERTISING')!;
    expect(advertising.purposeOfCategory).toBe(false);
    expect(advertising.sensitivities.find((s) => s.sensitivity === 'INTERNAL')!.rule).toBe('PURPOSE_OUTSIDE_CATEGORY');
  });

  it('agrees with explainAccess, field by field', async () => {
    const token = await testTokenFor(db.dataSource, 'operations');
    const admin = await testTokenFor(db.dataSource, 'compliance');
    const me = ((await gateway.post(ME, { token })).body.data as unknown as MeBody).me;
    for (const [purpose, coordinate, sensitivity] of [
      ['AFTER_SALES', 'Order.amazonOrderId', 'IDENTIFIER'],
      ['OPERATIONAL_REPORTING', 'Order.amazonOrderId', 'IDENTIFIER'],
      ['OPERATIONAL_REPORTING', 'Order.shipPostalCode', 'PERSONAL'],
      ['AFTER_SALES', 'Order.shipPostalCode', 'PERSONAL'],
    ]) {
      const explained = await gateway.post(`{ explainAccess(role: "operations", purpose: ${purpose}, coordinate: "${coordinate}") { effect sensitivity } }`, { token: admin });
      const explanation = (explained.body.data as { explainAccess: { effect: string; sensitivity: string } }).explainAccess;
      expect(explanation.sensitivity).toBe(sensitivity);
      expect(effects(me, purpose, 'ORDERS')[sensitivity]).toBe(explanation.effect.toUpperCase());
    }
  });

  it('answers a partner token (narrowed purposes, scope, expiry) without a registered operation', async () => {
    const token = await testTokenFor(db.dataSource, 'analyst', { partner: true, purposes: [Purpose.BUSINESS_ANALYSIS], accounts: ['A1SGDEMOUS0001'], expiresInDays: 30 });
    const response = await gateway.post(ME, { token });
    expect(response.body.errors).toBeUndefined();
    const me = (response.body.data as unknown as MeBody).me;
    expect(me).toMatchObject({ partner: true, purposes: [Purpose.BUSINESS_ANALYSIS], accounts: ['A1SGDEMOUS0001'], declaredPurpose: 'BUSINESS_ANALYSIS' });
    expect(new Date(me.expiresAt!).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(me.access.map((access) => access.purpose)).toEqual(['BUSINESS_ANALYSIS']);
    // Data is still held to its registered operations.
    const data = await gateway.post('{ products(first: 1) { totalCount } }', { token });
    expect(data.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_REQUIRED');
  });

  it('refuses a caller with no credentials', async () => {
    const response = await gateway.post(ME);
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
