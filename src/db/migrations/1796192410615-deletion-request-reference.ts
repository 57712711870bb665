import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Requests filed on the public Data Deletion page carry a reference number the requester keeps
 * to ask for the status: only its SHA-256 is stored (unique), so the table does not hold the
 * reference itself. Their source is PUBLIC_FORM; they start RECEIVED, pending verification.
 */
export class DeletionRequestReference1796192410615 implements MigrationInterface {
  name = 'DeletionRequestReference1796192410615';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "deletion_request" ADD "reference_hash" character varying(64)`);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_deletion_request_reference_hash" ON "deletion_request" ("reference_hash") WHERE "reference_hash" IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "UQ_deletion_request_reference_hash"`);
    await queryRunner.query(`ALTER TABLE "deletion_request" DROP COLUMN "reference_hash"`);
  }
}
