import type { MigrationInterface, QueryRunner } from 'typeorm';

/** An import run counts the shared rows (products) it left alone because other scopes see them. */
export class ImportRowsOutOfScope1796193180495 implements MigrationInterface {
  name = 'ImportRowsOutOfScope1796193180495';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "import_run" ADD "rows_out_of_scope" integer NOT NULL DEFAULT 0`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "import_run" DROP COLUMN "rows_out_of_scope"`);
  }
}
