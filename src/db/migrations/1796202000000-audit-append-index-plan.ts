import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `audit_append` reads the chain head (`ORDER BY id DESC LIMIT 1` on audit_record) with a plan
 * PL/pgSQL caches for the life of each connection. A connection that first appended while the
 * table was small (a new database, the demo) kept a sequential scan and a sort, so every append
 * took longer as the log grew, and with it every audited request (fail-closed). With sequential
 * scans off inside the function, the head is always read through the primary key's index, whatever
 * the table's size or statistics when the plan was made. A later `CREATE OR REPLACE FUNCTION
 * audit_append` must set it again.
 */
const SIGNATURE = 'audit_append(bigint, text, jsonb, text[], text[], timestamptz, text, text)';

export class AuditAppendIndexPlan1796202000000 implements MigrationInterface {
  name = 'AuditAppendIndexPlan1796202000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER FUNCTION ${SIGNATURE} SET enable_seqscan = off`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER FUNCTION ${SIGNATURE} RESET enable_seqscan`);
  }
}
