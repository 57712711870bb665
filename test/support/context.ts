// A request context for service- and schema-level tests (no HTTP): an unrestricted principal
// unless the test narrows it.
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Principal } from '../../src/auth/principal';
import { LoaderRegistry, newRequestContext, type RequestContext } from '../../src/context';
import { replicaReads } from '../../src/db/read-replica';
import { defaultPolicy } from '../../src/policy/default-policy';
import { ALL_PURPOSES, type Purpose } from '../../src/policy/taxonomy';

export function testPrincipal(overrides: Partial<Principal> = {}): Principal {
  return {
    id: 'test-user',
    kind: 'user',
    name: 'Test user',
    role: 'compliance',
    purposes: ALL_PURPOSES,
    categories: null,
    accounts: null,
    marketplaces: null,
    partner: false,
    expiresAt: null,
    ...overrides,
  };
}

export function testContext(dataSource: DataSource, options: { principal?: Principal; purpose?: Purpose | null; now?: Date } = {}): RequestContext {
  const principal = options.principal ?? testPrincipal();
  return newRequestContext({
    requestId: randomUUID(),
    entry: 'graphql',
    principal,
    purpose: options.purpose ?? null,
    scope: { accounts: principal.accounts, marketplaces: principal.marketplaces },
    db: dataSource.manager,
    reads: replicaReads(dataSource),
    loaders: new LoaderRegistry(),
    now: () => options.now ?? new Date(),
    policy: defaultPolicy(),
    declaredPurpose: options.purpose ?? null,
    refusal: null,
    http: { ip: '127.0.0.1', userAgent: 'jest', clientName: null, clientVersion: null },
    startedAt: Date.now(),
  });
}
