import type { MigrationInterface, QueryRunner } from 'typeorm';

export class DataExports1795787473215 implements MigrationInterface {
  name = 'DataExports1795787473215';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "data_export" ("id" uuid NOT NULL, "principal_id" character varying(200) NOT NULL, "principal_kind" character varying(8) NOT NULL, "principal_role" character varying(64) NOT NULL, "purpose" character varying(40), "format" character varying(8) NOT NULL, "operation_name" character varying(200), "document_hash" character(64) NOT NULL, "policy_version" character varying(64) NOT NULL, "row_count" integer NOT NULL, "byte_size" integer NOT NULL, "sha256" character(64) NOT NULL, "content" bytea NOT NULL, "request_id" character varying(100) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "downloads" integer NOT NULL DEFAULT '0', "last_downloaded_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_0765a950021643539f983b764ad" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_ab169b9a20df1673edcfdf2ff8" ON "data_export"  ("principal_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_68dd81ebba88f17cdc4843c006" ON "data_export"  ("expires_at") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_68dd81ebba88f17cdc4843c006"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ab169b9a20df1673edcfdf2ff8"`);
    await queryRunner.query(`DROP TABLE "data_export"`);
  }
}
