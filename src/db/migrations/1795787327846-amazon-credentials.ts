import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AmazonCredentials1795787327846 implements MigrationInterface {
  name = 'AmazonCredentials1795787327846';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "amazon_credential" ("id" uuid NOT NULL, "seller_account_id" character varying(32) NOT NULL, "kind" character varying(32) NOT NULL, "label" character varying(100) NOT NULL DEFAULT 'default', "ciphertext" bytea NOT NULL, "iv" bytea NOT NULL, "auth_tag" bytea NOT NULL, "key_id" character varying(64) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "secret_changed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_used_at" TIMESTAMP WITH TIME ZONE, "created_by" character varying(200) NOT NULL, CONSTRAINT "PK_e950d786fcf3dffcb3efa2e8422" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_6648ffdacd5aa648afb9645c69" ON "amazon_credential"  ("key_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_amazon_credential_account_kind_label" ON "amazon_credential"  ("seller_account_id", "kind", "label") `);
    await queryRunner.query(`ALTER TABLE "amazon_credential" ADD CONSTRAINT "FK_d2fa2a54758ee0f49d6dc84eec1" FOREIGN KEY ("seller_account_id") REFERENCES "seller_account"("seller_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "amazon_credential" DROP CONSTRAINT "FK_d2fa2a54758ee0f49d6dc84eec1"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_amazon_credential_account_kind_label"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_6648ffdacd5aa648afb9645c69"`);
    await queryRunner.query(`DROP TABLE "amazon_credential"`);
  }
}
