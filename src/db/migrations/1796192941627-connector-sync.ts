import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ConnectorSync1796192941627 implements MigrationInterface {
  name = 'ConnectorSync1796192941627';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "connector_cursor" ("seller_account_id" character varying(32) NOT NULL, "marketplace_id" character varying(20) NOT NULL, "stream" character varying(60) NOT NULL, "cursor" TIMESTAMP WITH TIME ZONE, "pending" jsonb, "last_success_at" TIMESTAMP WITH TIME ZONE, "last_error_at" TIMESTAMP WITH TIME ZONE, "last_error" character varying(1000), "last_run_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_7491d0fc60254f2925b740eeb0b" PRIMARY KEY ("seller_account_id", "marketplace_id", "stream"))`);
    await queryRunner.query(`CREATE TABLE "sync_run" ("id" uuid NOT NULL, "trigger" character varying(16) NOT NULL, "principal_id" character varying(200) NOT NULL, "status" character varying(16) NOT NULL, "accounts" text array NOT NULL DEFAULT '{}', "streams" text array NOT NULL DEFAULT '{}', "since" TIMESTAMP WITH TIME ZONE, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, "documents" integer NOT NULL DEFAULT '0', "rows_inserted" integer NOT NULL DEFAULT '0', "rows_updated" integer NOT NULL DEFAULT '0', "rows_unchanged" integer NOT NULL DEFAULT '0', "api_calls" integer NOT NULL DEFAULT '0', "errors" jsonb NOT NULL DEFAULT '[]', "import_run_ids" uuid array NOT NULL DEFAULT '{}', CONSTRAINT "PK_ab1387853fd86ea904a21058b01" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_7466cd4ce2803761dadc95bfcd" ON "sync_run"  ("started_at") `);
    await queryRunner.query(`ALTER TABLE "amazon_credential" ADD "refused_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "amazon_credential" DROP COLUMN "refused_at"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7466cd4ce2803761dadc95bfcd"`);
    await queryRunner.query(`DROP TABLE "sync_run"`);
    await queryRunner.query(`DROP TABLE "connector_cursor"`);
  }
}
