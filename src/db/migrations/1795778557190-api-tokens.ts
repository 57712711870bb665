import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiTokens1795778557190 implements MigrationInterface {
  name = 'ApiTokens1795778557190';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "api_token" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(200) NOT NULL, "token_hash" character(64) NOT NULL, "role" character varying(64) NOT NULL, "purposes" text array NOT NULL, "categories" text array, "accounts" text array, "marketplaces" text array, "partner" boolean NOT NULL DEFAULT false, "expires_at" TIMESTAMP WITH TIME ZONE, "created_by" character varying(200) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "ip_allow_list" text array, CONSTRAINT "PK_d862311c568d175c26f41bc6f98" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_bafaa5aab5957cd193fb2da8f2" ON "api_token"  ("token_hash") `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."IDX_bafaa5aab5957cd193fb2da8f2"`);
    await queryRunner.query(`DROP TABLE "api_token"`);
  }
}
