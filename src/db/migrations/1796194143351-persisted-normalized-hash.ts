import type { MigrationInterface, QueryRunner } from 'typeorm';
import { normalizedDocumentHash } from '../../security/persisted-operations';

/**
 * Persisted operations are matched by the hash of their normalized form (canonical print: selections sorted, no
 * `__typename` selections) as well as of their exact text, so a client that re-prints a registered
 * document (graphql-request, Apollo Client) still matches. Existing rows are backfilled.
 */
export class PersistedNormalizedHash1796194143351 implements MigrationInterface {
  name = 'PersistedNormalizedHash1796194143351';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "persisted_operation" ADD "normalized_hash" character(64)`);
    const rows = (await queryRunner.query(`SELECT "id", "document" FROM "persisted_operation"`)) as { id: string; document: string }[];
    for (const row of rows) {
      await queryRunner.query(`UPDATE "persisted_operation" SET "normalized_hash" = $1 WHERE "id" = $2`, [normalizedDocumentHash(row.document), row.id]);
    }
    await queryRunner.query(`CREATE INDEX "IDX_persisted_operation_token_normalized" ON "persisted_operation" ("token_id", "normalized_hash") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_persisted_operation_token_normalized"`);
    await queryRunner.query(`ALTER TABLE "persisted_operation" DROP COLUMN "normalized_hash"`);
  }
}
