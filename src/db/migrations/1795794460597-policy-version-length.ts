import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A policy version is `<label>+<12 hex digits>`, with a label of up to 64 characters: up to 77
 * characters, as `policy_revision.version` (80) holds. The audit record and the export kept only
 * 64, so a long label made their inserts fail. Widening a varchar keeps every row as it is.
 */
export class PolicyVersionLength1795794460597 implements MigrationInterface {
  name = 'PolicyVersionLength1795794460597';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_record" ALTER COLUMN "policy_version" TYPE character varying(80)`);
    await queryRunner.query(`ALTER TABLE "data_export" ALTER COLUMN "policy_version" TYPE character varying(80)`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "data_export" ALTER COLUMN "policy_version" TYPE character varying(64)`);
    await queryRunner.query(`ALTER TABLE "audit_record" ALTER COLUMN "policy_version" TYPE character varying(64)`);
  }
}
