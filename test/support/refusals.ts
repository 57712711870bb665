// Helpers of the tests of refused requests: the audit log refusing every write (fail-closed
// answers), a per-address limit small enough to flood in a test, and the records of one request.
import type { DataSource } from 'typeorm';
import { AuditRecord } from '../../entities/gateway/audit-record.entity';

/** `work` runs while every audit insert fails (a trigger on audit_record), which is gone afterwards. */
export async function withAuditWritesRefused<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  await dataSource.query(`CREATE FUNCTION refuse_every_audit_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit write refused'; END $$`);
  await dataSource.query('CREATE TRIGGER refuse_every_audit_insert BEFORE INSERT ON audit_record FOR EACH ROW EXECUTE FUNCTION refuse_every_audit_insert()');
  try {
    return await work();
  } finally {
    await dataSource.query('DROP TRIGGER refuse_every_audit_insert ON audit_record');
    await dataSource.query('DROP FUNCTION refuse_every_audit_insert()');
  }
}

/** Per-address rate limit settings under which the fourth request of a burst is answered 429. */
export const FLOODABLE_PER_ADDRESS_LIMIT = { IP_RATE_LIMIT_PER_MINUTE: '1', IP_RATE_LIMIT_BURST: '3' } as const;

/** The audit records of one request id. */
export function auditRecordsOf(dataSource: DataSource, requestId: string): Promise<AuditRecord[]> {
  return dataSource.getRepository(AuditRecord).findBy({ requestId });
}
