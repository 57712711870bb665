// Audit entries and database helpers for the audit tests.
import type { DataSource } from 'typeorm';
import type { AuditEntry } from '../../src/audit/audit-entry';

let sequence = 0;

export function auditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  sequence += 1;
  return {
    timestamp: new Date(),
    requestId: `req-${sequence}`,
    principalId: 'user-1',
    principalKind: 'user',
    principalRole: 'analyst',
    purpose: 'BUSINESS_ANALYSIS',
    clientName: 'dashboard',
    clientVersion: '1.0.0',
    sourceIp: '10.0.0.1',
    userAgent: 'jest',
    operationType: 'query',
    operationName: `Op${sequence}`,
    documentHash: null,
    variables: { first: 10, status: 'SHIPPED', orderId: '[redacted]' },
    fields: ['Query.orders', 'Order.id'],
    categories: ['ORDERS'],
    masked: ['Order.amazonOrderId'],
    denied: [],
    rowsByCategory: { ORDERS: 10 },
    outcome: 'ok',
    errorCodes: [],
    durationMs: 12,
    policyVersion: 'test',
    ...overrides,
  };
}

/** Runs statements as the table owner with the append-only triggers switched off (tampering). */
export async function asTamperer(dataSource: DataSource, statements: string[]): Promise<void> {
  await dataSource.transaction(async (manager) => {
    await manager.query('ALTER TABLE audit_record DISABLE TRIGGER ALL');
    for (const statement of statements) await manager.query(statement);
    await manager.query('ALTER TABLE audit_record ENABLE TRIGGER ALL');
  });
}

/** Empties the audit tables between tests (triggers off for the moment). */
export async function resetAudit(dataSource: DataSource): Promise<void> {
  await dataSource.transaction(async (manager) => {
    for (const table of ['audit_record', 'audit_document', 'audit_checkpoint']) {
      await manager.query(`ALTER TABLE ${table} DISABLE TRIGGER ALL`);
      await manager.query(`TRUNCATE ${table}`);
      await manager.query(`ALTER TABLE ${table} ENABLE TRIGGER ALL`);
    }
  });
}
