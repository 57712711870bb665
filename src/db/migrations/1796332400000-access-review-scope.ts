import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An access review sign-off covers its reviewer's row scope (NULL = every account or marketplace):
 * a principal limited in scope signs off for its scope only, and sees only sign-offs within it;
 * the company-wide sign-off is one made by a principal not limited in scope. The reviewer is the
 * admitted principal; a name the caller gives is kept apart, as a label.
 *
 * Existing sign-offs of a token (reviewer `token:<id>`, or the bare id the CLI recorded) take the
 * token's scope; the others (users, whose scope is not stored, and free-text names) stay NULL.
 */
export class AccessReviewScope1796332400000 implements MigrationInterface {
  name = 'AccessReviewScope1796332400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "access_review" ADD "reviewer_label" character varying(200)`);
    await queryRunner.query(`ALTER TABLE "access_review" ADD "scope_accounts" text array`);
    await queryRunner.query(`ALTER TABLE "access_review" ADD "scope_marketplaces" text array`);
    await queryRunner.query(
      `UPDATE access_review r SET scope_accounts = t.accounts, scope_marketplaces = t.marketplaces
         FROM api_token t
        WHERE t.id::text = regexp_replace(r.reviewer, '^token:', '')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "access_review" DROP COLUMN "scope_marketplaces"`);
    await queryRunner.query(`ALTER TABLE "access_review" DROP COLUMN "scope_accounts"`);
    await queryRunner.query(`ALTER TABLE "access_review" DROP COLUMN "reviewer_label"`);
  }
}
