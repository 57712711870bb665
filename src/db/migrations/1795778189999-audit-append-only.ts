import type { MigrationInterface, QueryRunner } from 'typeorm';

// Hand-written: the audit tables are append-only in the database itself. UPDATE, DELETE and
// TRUNCATE on audit_record, audit_document and audit_checkpoint are refused by triggers (and
// not granted to PUBLIC). The one exception is the retention path: `audit_remove_expired(up_to)`
// deletes the oldest records up to an id, by setting `sellergate.audit_retention = on` and
// `sellergate.audit_retention_up_to` for the current transaction only; the trigger lets a DELETE
// through only with both set and only for ids at or below the bound (src/audit/audit-retention.ts
// calls it and records a signed checkpoint of what it removed in the same transaction).
// Note: a table owner or superuser can still disable triggers; run the gateway as a role that
// does not own these tables, and rely on the hash chain and signed checkpoints to detect it.
export class AuditAppendOnly1795778189999 implements MigrationInterface {
  name = 'AuditAppendOnly1795778189999';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_record'
     AND current_setting('sellergate.audit_retention', true) = 'on' THEN
    IF TG_LEVEL = 'STATEMENT' THEN
      RETURN NULL;
    END IF;
    IF OLD.id <= NULLIF(current_setting('sellergate.audit_retention_up_to', true), '')::bigint THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END
$$`);
    await queryRunner.query(`CREATE FUNCTION audit_remove_expired(up_to bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE removed bigint;
BEGIN
  PERFORM set_config('sellergate.audit_retention', 'on', true);
  PERFORM set_config('sellergate.audit_retention_up_to', up_to::text, true);
  DELETE FROM audit_record WHERE id <= up_to;
  GET DIAGNOSTICS removed = ROW_COUNT;
  PERFORM set_config('sellergate.audit_retention', 'off', true);
  PERFORM set_config('sellergate.audit_retention_up_to', '', true);
  RETURN removed;
END
$$`);
    for (const table of ['audit_record', 'audit_document', 'audit_checkpoint']) {
      // Statement level: refused even when no row matches; row level: the retention bound.
      await queryRunner.query(
        `CREATE TRIGGER "${table}_append_only" BEFORE UPDATE OR DELETE OR TRUNCATE ON "${table}" FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER "${table}_append_only_row" BEFORE UPDATE OR DELETE ON "${table}" FOR EACH ROW EXECUTE FUNCTION audit_append_only()`,
      );
      await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON "${table}" FROM PUBLIC`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['audit_checkpoint', 'audit_document', 'audit_record']) {
      await queryRunner.query(`DROP TRIGGER "${table}_append_only_row" ON "${table}"`);
      await queryRunner.query(`DROP TRIGGER "${table}_append_only" ON "${table}"`);
    }
    await queryRunner.query(`DROP FUNCTION audit_remove_expired(bigint)`);
    await queryRunner.query(`DROP FUNCTION audit_append_only()`);
  }
}
