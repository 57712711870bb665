import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CoreAccounts1795777861725 implements MigrationInterface {
  name = 'CoreAccounts1795777861725';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "marketplace" ("marketplace_id" character varying(20) NOT NULL, "country_code" character(2) NOT NULL, "currency_code" character(3) NOT NULL, "sales_channel" character varying(40) NOT NULL, CONSTRAINT "PK_a41b45fb5466e02b0855bb7dff5" PRIMARY KEY ("marketplace_id"))`);
    await queryRunner.query(`CREATE TABLE "seller_account" ("seller_id" character varying(32) NOT NULL, "name" character varying(200) NOT NULL, "authorized" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8f361a429c7c32655b80729d243" PRIMARY KEY ("seller_id"))`);
    await queryRunner.query(`CREATE TABLE "import_run" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "file_name" character varying(500) NOT NULL, "sha256" character(64) NOT NULL, "report_type" character varying(80) NOT NULL, "source" character varying(32) NOT NULL, "seller_account_id" character varying(32) NOT NULL, "marketplace_id" character varying(20), "imported_by" character varying(200) NOT NULL, "status" character varying(16) NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, "rows_read" integer NOT NULL DEFAULT '0', "rows_inserted" integer NOT NULL DEFAULT '0', "rows_updated" integer NOT NULL DEFAULT '0', "rows_unchanged" integer NOT NULL DEFAULT '0', "rows_rejected" integer NOT NULL DEFAULT '0', "dropped_columns" text array NOT NULL DEFAULT '{}', "ignored_columns" text array NOT NULL DEFAULT '{}', "rejected_lines" jsonb NOT NULL DEFAULT '[]', "error" text, CONSTRAINT "PK_efe3e6d8cb9f51ca4e9cd1cf5d3" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_80f3bf0e17fb0fc9941e37d360" ON "import_run"  ("sha256") `);
    await queryRunner.query(`CREATE INDEX "IDX_c507d2d57717a9b17a8f08d73c" ON "import_run"  ("seller_account_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_294f5a023c6579d5666dad8bdc" ON "import_run"  ("started_at") `);
    await queryRunner.query(`CREATE TABLE "seller_account_marketplace" ("seller_id" character varying(32) NOT NULL, "marketplace_id" character varying(20) NOT NULL, CONSTRAINT "PK_d01e1294b9dc8b0bb2d2f45effb" PRIMARY KEY ("seller_id", "marketplace_id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_239a3ca976afe3c3abc0f16670" ON "seller_account_marketplace"  ("seller_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_185a60c30bff5339e3b6c6fc30" ON "seller_account_marketplace"  ("marketplace_id") `);
    await queryRunner.query(`ALTER TABLE "seller_account_marketplace" ADD CONSTRAINT "FK_239a3ca976afe3c3abc0f166704" FOREIGN KEY ("seller_id") REFERENCES "seller_account"("seller_id") ON DELETE CASCADE ON UPDATE CASCADE`);
    await queryRunner.query(`ALTER TABLE "seller_account_marketplace" ADD CONSTRAINT "FK_185a60c30bff5339e3b6c6fc302" FOREIGN KEY ("marketplace_id") REFERENCES "marketplace"("marketplace_id") ON DELETE CASCADE ON UPDATE CASCADE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "seller_account_marketplace" DROP CONSTRAINT "FK_185a60c30bff5339e3b6c6fc302"`);
    await queryRunner.query(`ALTER TABLE "seller_account_marketplace" DROP CONSTRAINT "FK_239a3ca976afe3c3abc0f166704"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_185a60c30bff5339e3b6c6fc30"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_239a3ca976afe3c3abc0f16670"`);
    await queryRunner.query(`DROP TABLE "seller_account_marketplace"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_294f5a023c6579d5666dad8bdc"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c507d2d57717a9b17a8f08d73c"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_80f3bf0e17fb0fc9941e37d360"`);
    await queryRunner.query(`DROP TABLE "import_run"`);
    await queryRunner.query(`DROP TABLE "seller_account"`);
    await queryRunner.query(`DROP TABLE "marketplace"`);
  }
}
