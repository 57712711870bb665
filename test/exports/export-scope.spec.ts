// Which exports a caller is served by scope and categories (exportOutsideOf, the one place that
// decides for GET /exports/:id): an export's scope and categories must lie within the caller's.
import { exportOutsideOf } from '../../src/exports/export.service';

const JP = 'A3SGDEMOJP0003';
const EU = 'A2SGDEMOEU0002';
const unlimited = { scope: { accounts: null, marketplaces: null }, categories: null };

describe('exportOutsideOf', () => {
  it('serves an export read under no scope only to a caller limited in nothing (exports made before scope was kept included)', () => {
    const legacy = { scopeAccounts: null, scopeMarketplaces: null, categories: null };
    expect(exportOutsideOf(legacy, unlimited)).toBeNull();
    expect(exportOutsideOf(legacy, { ...unlimited, scope: { accounts: [JP], marketplaces: null } })).toMatch(/outside your current scope/);
    expect(exportOutsideOf(legacy, { ...unlimited, scope: { accounts: null, marketplaces: ['A1VC38T7YXB528'] } })).toMatch(/outside your current scope/);
    expect(exportOutsideOf(legacy, { ...unlimited, categories: ['ORDERS'] })).toMatch(/categories/);
  });

  it('serves a scoped export to the same or a wider scope only', () => {
    const jp = { scopeAccounts: [JP], scopeMarketplaces: null, categories: ['ORDERS'] };
    expect(exportOutsideOf(jp, unlimited)).toBeNull();
    expect(exportOutsideOf(jp, { ...unlimited, scope: { accounts: [JP], marketplaces: null } })).toBeNull();
    expect(exportOutsideOf(jp, { ...unlimited, scope: { accounts: [EU, JP], marketplaces: null } })).toBeNull();
    expect(exportOutsideOf(jp, { ...unlimited, scope: { accounts: [EU], marketplaces: null } })).toMatch(/outside your current scope/);
    // Not limited in marketplaces when made: a caller limited in marketplaces is not served it.
    expect(exportOutsideOf(jp, { ...unlimited, scope: { accounts: [JP], marketplaces: ['A1VC38T7YXB528'] } })).toMatch(/outside your current scope/);
  });

  it('serves an export only to a caller whose categories hold every category it read', () => {
    const mixed = { scopeAccounts: null, scopeMarketplaces: null, categories: ['ORDERS', 'INVENTORY_FINANCE'] };
    expect(exportOutsideOf(mixed, { ...unlimited, categories: ['ORDERS', 'INVENTORY_FINANCE', 'CATALOG'] })).toBeNull();
    expect(exportOutsideOf(mixed, { ...unlimited, categories: ['ORDERS'] })).toMatch(/categories/);
  });
});
