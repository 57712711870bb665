import type { MigrationInterface, QueryRunner } from 'typeorm';

export class InventoryFinance1795778208312 implements MigrationInterface {
  name = 'InventoryFinance1795778208312';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "fee_estimate" ("source" character varying(32) NOT NULL, "import_run_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "estimate_date" date NOT NULL, "sku" character varying(80) NOT NULL, "asin" character varying(20), "estimated_fee_total" numeric(14,2), "referral_fee" numeric(14,2), "fulfillment_fee" numeric(14,2), "currency" character(3) NOT NULL, "seller_account_id" character varying(32) NOT NULL, "marketplace_id" character varying(20) NOT NULL, CONSTRAINT "UQ_d8f37ef3f102ce38f4ba9c7a2ea" UNIQUE ("seller_account_id", "marketplace_id", "sku", "estimate_date"), CONSTRAINT "PK_8b57e00a7507a637f32013864d9" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_18ff53f99322c4c74a34e57309" ON "fee_estimate"  ("import_run_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_36d09966468e63f04889665f10" ON "fee_estimate"  ("estimate_date") `);
    await queryRunner.query(`CREATE TABLE "inventory_snapshot" ("source" character varying(32) NOT NULL, "import_run_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "snapshot_date" date NOT NULL, "sku" character varying(80) NOT NULL, "fnsku" character varying(20), "asin" character varying(20), "condition" character varying(40), "fulfillable" integer NOT NULL DEFAULT '0', "inbound_working" integer NOT NULL DEFAULT '0', "inbound_shipped" integer NOT NULL DEFAULT '0', "inbound_receiving" integer NOT NULL DEFAULT '0', "inbound" integer NOT NULL DEFAULT '0', "reserved" integer NOT NULL DEFAULT '0', "unfulfillable" integer NOT NULL DEFAULT '0', "total" integer NOT NULL DEFAULT '0', "seller_account_id" character varying(32) NOT NULL, "marketplace_id" character varying(20) NOT NULL, CONSTRAINT "UQ_cdca22490b7c3fe42b9812dcb65" UNIQUE ("seller_account_id", "marketplace_id", "sku", "snapshot_date"), CONSTRAINT "PK_58bfb146919d26bac94a927eb86" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_d1264d762670150b4635c02c64" ON "inventory_snapshot"  ("import_run_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_9d8df210e6826ee0fbabfecfdf" ON "inventory_snapshot"  ("snapshot_date") `);
    await queryRunner.query(`CREATE TABLE "refund" ("source" character varying(32) NOT NULL, "import_run_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "order_id" character varying(40) NOT NULL, "sku" character varying(80) NOT NULL, "posted_date" TIMESTAMP WITH TIME ZONE NOT NULL, "amount" numeric(14,2) NOT NULL, "currency" character(3) NOT NULL, "refund_type" character varying(80) NOT NULL, "seller_account_id" character varying(32) NOT NULL, "marketplace_id" character varying(20) NOT NULL, CONSTRAINT "UQ_17d49ec8dbd876fc523a657c284" UNIQUE ("seller_account_id", "marketplace_id", "order_id", "sku", "posted_date", "refund_type"), CONSTRAINT "PK_f1cefa2e60d99b206c46c1116e5" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_d093397935ddca0168c715c0ef" ON "refund"  ("import_run_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_eec9d9af4ca098e19ea6b499ea" ON "refund"  ("order_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_e98ea8732ea49de16f2545cdfa" ON "refund"  ("seller_account_id", "marketplace_id", "posted_date") `);
    await queryRunner.query(`CREATE TABLE "replenishment_recommendation" ("source" character varying(32) NOT NULL, "import_run_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "recommendation_date" date NOT NULL, "sku" character varying(80) NOT NULL, "asin" character varying(20), "fnsku" character varying(20), "recommended_quantity" integer NOT NULL DEFAULT '0', "days_of_supply" numeric(10,1), "alert" character varying(100), "recommended_ship_date" date, "recommended_action" character varying(200), "seller_account_id" character varying(32) NOT NULL, "marketplace_id" character varying(20) NOT NULL, CONSTRAINT "UQ_03adb5711180e013ca2bd8dd66e" UNIQUE ("seller_account_id", "marketplace_id", "sku", "recommendation_date"), CONSTRAINT "PK_21d7d85fba15891161785b4bb40" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_17a8d5716fb047418fc799e3ef" ON "replenishment_recommendation"  ("import_run_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_a5a24af29ad571d9457a95cf43" ON "replenishment_recommendation"  ("recommendation_date") `);
    await queryRunner.query(`CREATE TABLE "settlement" ("source" character varying(32) NOT NULL, "import_run_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "settlement_id" character varying(40) NOT NULL, "start_date" TIMESTAMP WITH TIME ZONE NOT NULL, "end_date" TIMESTAMP WITH TIME ZONE NOT NULL, "deposit_date" TIMESTAMP WITH TIME ZONE, "total_amount" numeric(14,2) NOT NULL, "currency" character(3) NOT NULL, "seller_account_id" character varying(32) NOT NULL, "marketplace_id" character varying(20) NOT NULL, CONSTRAINT "PK_23997ae6972574beb45af0177ad" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_98652480381a5a70caebfae060" ON "settlement"  ("import_run_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_8f3e26b60ab5773b14635a6ea4" ON "settlement"  ("settlement_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_2aba028e80f49c61671a3642b9" ON "settlement"  ("seller_account_id", "marketplace_id", "end_date") `);
    await queryRunner.query(`CREATE TABLE "settlement_line" ("source" character varying(32) NOT NULL, "import_run_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "settlement_row_id" bigint NOT NULL, "line_number" integer NOT NULL, "transaction_type" character varying(80) NOT NULL, "order_id" character varying(40), "sku" character varying(80), "amount_type" character varying(80) NOT NULL, "amount_description" character varying(120) NOT NULL, "amount" numeric(14,2) NOT NULL, "posted_date" TIMESTAMP WITH TIME ZONE, "quantity" integer, CONSTRAINT "UQ_4b5d9b04a5753566da169b34e63" UNIQUE ("settlement_row_id", "line_number"), CONSTRAINT "PK_a31fbc8b0efd3c48bd30f7023db" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_820928a1a0368a34300dd553c0" ON "settlement_line"  ("import_run_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_20d0f7ae7bb8dfce5623c27809" ON "settlement_line"  ("order_id") `);
    await queryRunner.query(`ALTER TABLE "fee_estimate" ADD CONSTRAINT "FK_84603148bab173fc2d2fc89865a" FOREIGN KEY ("seller_account_id") REFERENCES "seller_account"("seller_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "fee_estimate" ADD CONSTRAINT "FK_b50b726ff5ae79c00e79255caff" FOREIGN KEY ("marketplace_id") REFERENCES "marketplace"("marketplace_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "inventory_snapshot" ADD CONSTRAINT "FK_e470692c724c2ff2a0896b5d330" FOREIGN KEY ("seller_account_id") REFERENCES "seller_account"("seller_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "inventory_snapshot" ADD CONSTRAINT "FK_7318f52424f27e5d0a770bd1ea3" FOREIGN KEY ("marketplace_id") REFERENCES "marketplace"("marketplace_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "refund" ADD CONSTRAINT "FK_c142570edc79e01a5847c068619" FOREIGN KEY ("seller_account_id") REFERENCES "seller_account"("seller_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "refund" ADD CONSTRAINT "FK_3a188720d612ced6cb683dc436b" FOREIGN KEY ("marketplace_id") REFERENCES "marketplace"("marketplace_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "replenishment_recommendation" ADD CONSTRAINT "FK_c8f23a4affc5a198810e7d15a3d" FOREIGN KEY ("seller_account_id") REFERENCES "seller_account"("seller_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "replenishment_recommendation" ADD CONSTRAINT "FK_9a8cc9648427d4684c97859e3e3" FOREIGN KEY ("marketplace_id") REFERENCES "marketplace"("marketplace_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "settlement" ADD CONSTRAINT "FK_b3cb6f4883fac2f33425c531d67" FOREIGN KEY ("seller_account_id") REFERENCES "seller_account"("seller_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "settlement" ADD CONSTRAINT "FK_c801f1e762312e0595f691c69d9" FOREIGN KEY ("marketplace_id") REFERENCES "marketplace"("marketplace_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "settlement_line" ADD CONSTRAINT "FK_6832fe8f97c1e24c99877fb3c2f" FOREIGN KEY ("settlement_row_id") REFERENCES "settlement"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "settlement_line" DROP CONSTRAINT "FK_6832fe8f97c1e24c99877fb3c2f"`);
    await queryRunner.query(`ALTER TABLE "settlement" DROP CONSTRAINT "FK_c801f1e762312e0595f691c69d9"`);
    await queryRunner.query(`ALTER TABLE "settlement" DROP CONSTRAINT "FK_b3cb6f4883fac2f33425c531d67"`);
    await queryRunner.query(`ALTER TABLE "replenishment_recommendation" DROP CONSTRAINT "FK_9a8cc9648427d4684c97859e3e3"`);
    await queryRunner.query(`ALTER TABLE "replenishment_recommendation" DROP CONSTRAINT "FK_c8f23a4affc5a198810e7d15a3d"`);
    await queryRunner.query(`ALTER TABLE "refund" DROP CONSTRAINT "FK_3a188720d612ced6cb683dc436b"`);
    await queryRunner.query(`ALTER TABLE "refund" DROP CONSTRAINT "FK_c142570edc79e01a5847c068619"`);
    await queryRunner.query(`ALTER TABLE "inventory_snapshot" DROP CONSTRAINT "FK_7318f52424f27e5d0a770bd1ea3"`);
    await queryRunner.query(`ALTER TABLE "inventory_snapshot" DROP CONSTRAINT "FK_e470692c724c2ff2a0896b5d330"`);
    await queryRunner.query(`ALTER TABLE "fee_estimate" DROP CONSTRAINT "FK_b50b726ff5ae79c00e79255caff"`);
    await queryRunner.query(`ALTER TABLE "fee_estimate" DROP CONSTRAINT "FK_84603148bab173fc2d2fc89865a"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_20d0f7ae7bb8dfce5623c27809"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_820928a1a0368a34300dd553c0"`);
    await queryRunner.query(`DROP TABLE "settlement_line"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_2aba028e80f49c61671a3642b9"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_8f3e26b60ab5773b14635a6ea4"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_98652480381a5a70caebfae060"`);
    await queryRunner.query(`DROP TABLE "settlement"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_a5a24af29ad571d9457a95cf43"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_17a8d5716fb047418fc799e3ef"`);
    await queryRunner.query(`DROP TABLE "replenishment_recommendation"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_e98ea8732ea49de16f2545cdfa"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_eec9d9af4ca098e19ea6b499ea"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_d093397935ddca0168c715c0ef"`);
    await queryRunner.query(`DROP TABLE "refund"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_9d8df210e6826ee0fbabfecfdf"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_d1264d762670150b4635c02c64"`);
    await queryRunner.query(`DROP TABLE "inventory_snapshot"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_36d09966468e63f04889665f10"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_18ff53f99322c4c74a34e57309"`);
    await queryRunner.query(`DROP TABLE "fee_estimate"`);
  }
}
