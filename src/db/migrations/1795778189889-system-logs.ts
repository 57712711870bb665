import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SystemLogs1795778189889 implements MigrationInterface {
  name = 'SystemLogs1795778189889';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "api_call_log" ("id" BIGSERIAL NOT NULL, "request_id" character varying(100) NOT NULL, "time" TIMESTAMP WITH TIME ZONE NOT NULL, "principal_id" character varying(200), "account_id" character varying(32), "operation_name" character varying(200), "method" character varying(8) NOT NULL, "path" character varying(200) NOT NULL, "http_status" smallint NOT NULL, "latency_ms" integer NOT NULL, "error_code" character varying(40), CONSTRAINT "PK_ba8bfaffbb35aff7026eecae2a7" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_5aa9abeda296fef0b9f2b7ec65" ON "api_call_log"  ("request_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_e491044a273b66b1efcec769ce" ON "api_call_log"  ("time") `);
    await queryRunner.query(`CREATE TABLE "system_event" ("id" BIGSERIAL NOT NULL, "time" TIMESTAMP WITH TIME ZONE NOT NULL, "level" character varying(8) NOT NULL, "component" character varying(60) NOT NULL, "message" character varying(1000) NOT NULL, "request_id" character varying(100), CONSTRAINT "PK_387d2d01bb48af5099e53bd14cf" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_e8218b8c1ac63a510dc99c61e3" ON "system_event"  ("time") `);
    await queryRunner.query(`CREATE INDEX "IDX_4b09e68c89bb348266404322fb" ON "system_event"  ("request_id") `);
    await queryRunner.query(`CREATE TABLE "user_action" ("id" BIGSERIAL NOT NULL, "time" TIMESTAMP WITH TIME ZONE NOT NULL, "actor" character varying(200) NOT NULL, "action" character varying(60) NOT NULL, "target" character varying(200), "request_id" character varying(100), CONSTRAINT "PK_d035e078f4d722c689a98556169" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_d1873b425ae24dd3b5cb919af1" ON "user_action"  ("time") `);
    await queryRunner.query(`CREATE INDEX "IDX_06764495ebeb4512041932ce1e" ON "user_action"  ("actor") `);
    await queryRunner.query(`CREATE INDEX "IDX_b8522d350507d3fee361bd2241" ON "user_action"  ("request_id") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_b8522d350507d3fee361bd2241"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_06764495ebeb4512041932ce1e"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_d1873b425ae24dd3b5cb919af1"`);
    await queryRunner.query(`DROP TABLE "user_action"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_4b09e68c89bb348266404322fb"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e8218b8c1ac63a510dc99c61e3"`);
    await queryRunner.query(`DROP TABLE "system_event"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e491044a273b66b1efcec769ce"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5aa9abeda296fef0b9f2b7ec65"`);
    await queryRunner.query(`DROP TABLE "api_call_log"`);
  }
}
