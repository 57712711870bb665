import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deletion requests and legal holds name the seller accounts and marketplaces of the data they
 * reach, so a principal limited in scope sees and acts only on those within its scope. Existing
 * rows get them from what they name: a hold's account (with its marketplaces); a request's account,
 * or the accounts and marketplaces of its orders. What names nothing stays NULL (seen only by
 * principals not limited in scope), executed requests included.
 */
export class AdminObjectScope1796192396062 implements MigrationInterface {
  name = 'AdminObjectScope1796192396062';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['deletion_request', 'legal_hold']) {
      await queryRunner.query(`ALTER TABLE "${table}" ADD "scope_accounts" text array`);
      await queryRunner.query(`ALTER TABLE "${table}" ADD "scope_marketplaces" text array`);
    }
    const marketplacesOf = (account: string) =>
      `COALESCE((SELECT array_agg(DISTINCT sam.marketplace_id ORDER BY sam.marketplace_id) FROM seller_account_marketplace sam WHERE sam.seller_id = ${account}), '{}')`;
    await queryRunner.query(
      `UPDATE legal_hold SET scope_accounts = ARRAY[seller_account_id], scope_marketplaces = ${marketplacesOf('seller_account_id')} WHERE seller_account_id IS NOT NULL`,
    );
    await queryRunner.query(
      `UPDATE deletion_request SET scope_accounts = ARRAY[scope_account_id], scope_marketplaces = ${marketplacesOf('scope_account_id')}
       WHERE scope_account_id IS NOT NULL AND cardinality(scope_order_ids) = 0`,
    );
    await queryRunner.query(
      `UPDATE deletion_request d SET scope_accounts = f.accounts, scope_marketplaces = f.marketplaces
       FROM (SELECT r.id, array_agg(DISTINCT o.seller_account_id) AS accounts, array_agg(DISTINCT o.marketplace_id) AS marketplaces
             FROM deletion_request r JOIN amazon_order o ON o.amazon_order_id = ANY(r.scope_order_ids) AND (r.scope_account_id IS NULL OR o.seller_account_id = r.scope_account_id)
             GROUP BY r.id) f
       WHERE d.id = f.id AND cardinality(d.scope_order_ids) > 0`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['legal_hold', 'deletion_request']) {
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "scope_marketplaces"`);
      await queryRunner.query(`ALTER TABLE "${table}" DROP COLUMN "scope_accounts"`);
    }
  }
}
