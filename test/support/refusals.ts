// The audit log refusing every write (a trigger on audit_record), for the tests of fail-closed
// answers: `work` runs while every audit insert fails, and the trigger is gone afterwards.
import type { DataSource } from 'typeorm';

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
