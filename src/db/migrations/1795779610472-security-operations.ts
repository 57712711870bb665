import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SecurityOperations1795779610472 implements MigrationInterface {
  name = 'SecurityOperations1795779610472';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "access_review" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "reviewer" character varying(200) NOT NULL, "signed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "note" character varying(2000), "principals" integer NOT NULL, "flagged" integer NOT NULL, "report" jsonb NOT NULL, CONSTRAINT "PK_6adbbc064ab5f4478b4666e417c" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "persisted_operation" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "token_id" uuid NOT NULL, "document_hash" character(64) NOT NULL, "document" text NOT NULL, "operation_name" character varying(200), "created_by" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_10543b55bd8e002fbff8967fc77" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_5ae8b53d45475cda82cba098e6" ON "persisted_operation"  ("document_hash") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_c2658c11083a8a3d7b3ff39a5c" ON "persisted_operation"  ("token_id", "document_hash") `);
    await queryRunner.query(`CREATE TABLE "principal_suspension" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "principal_id" character varying(200) NOT NULL, "principal_kind" character varying(8) NOT NULL, "principal_role" character varying(64), "rule" character varying(60) NOT NULL, "reason" character varying(1000) NOT NULL, "suspended_at" TIMESTAMP WITH TIME ZONE NOT NULL, "request_id" character varying(100), "reinstated_at" TIMESTAMP WITH TIME ZONE, "reinstated_by" character varying(200), "review_note" character varying(1000), CONSTRAINT "PK_e52afc9f91c7742a2d434c8a1e6" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_183dc05b17b1c71717b177bbd8" ON "principal_suspension"  ("principal_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_principal_suspension_active" ON "principal_suspension"  ("principal_id") WHERE "reinstated_at" IS NULL`);
    await queryRunner.query(`ALTER TABLE "persisted_operation" ADD CONSTRAINT "FK_bbce680a17785b50b6bb59a8f05" FOREIGN KEY ("token_id") REFERENCES "api_token"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "persisted_operation" DROP CONSTRAINT "FK_bbce680a17785b50b6bb59a8f05"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_principal_suspension_active"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_183dc05b17b1c71717b177bbd8"`);
    await queryRunner.query(`DROP TABLE "principal_suspension"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c2658c11083a8a3d7b3ff39a5c"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5ae8b53d45475cda82cba098e6"`);
    await queryRunner.query(`DROP TABLE "persisted_operation"`);
    await queryRunner.query(`DROP TABLE "access_review"`);
  }
}
