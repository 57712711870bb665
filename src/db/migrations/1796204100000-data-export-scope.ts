import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An export keeps the row scope (seller accounts, marketplaces) of the principal that made it and
 * the data categories its query read, so its file is served only to a caller whose current scope
 * and categories still hold it. Exports made before carry NULL: read as not limited, so only a
 * principal not limited in scope or categories is served them.
 */
export class DataExportScope1796204100000 implements MigrationInterface {
  name = 'DataExportScope1796204100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "data_export" ADD "scope_accounts" text array`);
    await queryRunner.query(`ALTER TABLE "data_export" ADD "scope_marketplaces" text array`);
    await queryRunner.query(`ALTER TABLE "data_export" ADD "categories" text array`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "data_export" DROP COLUMN "categories"`);
    await queryRunner.query(`ALTER TABLE "data_export" DROP COLUMN "scope_marketplaces"`);
    await queryRunner.query(`ALTER TABLE "data_export" DROP COLUMN "scope_accounts"`);
  }
}
