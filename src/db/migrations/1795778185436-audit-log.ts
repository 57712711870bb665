import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1795778185436 implements MigrationInterface {
  name = 'AuditLog1795778185436';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "audit_checkpoint" ("id" BIGSERIAL NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "kind" character varying(16) NOT NULL, "head_id" bigint NOT NULL, "head_hash" character(64) NOT NULL, "removed_from_id" bigint, "removed_to_id" bigint, "removed_last_hash" character(64), "key_id" character varying(16) NOT NULL, "signature" character(64) NOT NULL, CONSTRAINT "PK_9720e45bb755b61bb1ab7d43839" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "audit_document" ("hash" character(64) NOT NULL, "document" text, "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a828b6ef88e8cb1ab0b625b5cea" PRIMARY KEY ("hash"))`);
    await queryRunner.query(`CREATE TABLE "audit_record" ("id" bigint NOT NULL, "timestamp" TIMESTAMP WITH TIME ZONE NOT NULL, "request_id" character varying(100) NOT NULL, "principal_id" character varying(200), "principal_kind" character varying(8), "principal_role" character varying(64), "purpose" character varying(40), "client_name" character varying(100), "client_version" character varying(100), "source_ip" character varying(64), "user_agent" character varying(300), "operation_type" character varying(16), "operation_name" character varying(200), "document_hash" character(64), "variables" jsonb, "fields" text array NOT NULL DEFAULT '{}', "categories" text array NOT NULL DEFAULT '{}', "masked" text array NOT NULL DEFAULT '{}', "denied" text array NOT NULL DEFAULT '{}', "rows_by_category" jsonb NOT NULL DEFAULT '{}', "outcome" character varying(16) NOT NULL, "error_codes" text array NOT NULL DEFAULT '{}', "duration_ms" integer NOT NULL, "policy_version" character varying(64), "prev_hash" character(64) NOT NULL, "hash" character(64) NOT NULL, CONSTRAINT "PK_2c07dcda4cbae68f1cbbe6d7426" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_de34369b3d28d48a2be049b7c9" ON "audit_record"  ("timestamp") `);
    await queryRunner.query(`CREATE INDEX "IDX_8db72d963659ec426d094c774f" ON "audit_record"  ("request_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_f158689fb9ab074a1aa9ad8f24" ON "audit_record"  ("outcome") `);
    await queryRunner.query(`CREATE INDEX "IDX_a0adf533ec0498a4802347286d" ON "audit_record"  ("principal_id", "timestamp") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_a0adf533ec0498a4802347286d"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_f158689fb9ab074a1aa9ad8f24"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_8db72d963659ec426d094c774f"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_de34369b3d28d48a2be049b7c9"`);
    await queryRunner.query(`DROP TABLE "audit_record"`);
    await queryRunner.query(`DROP TABLE "audit_document"`);
    await queryRunner.query(`DROP TABLE "audit_checkpoint"`);
  }
}
