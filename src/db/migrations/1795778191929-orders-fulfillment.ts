import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OrdersFulfillment1795778191929 implements MigrationInterface {
  name = 'OrdersFulfillment1795778191929';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "amazon_order" ("source" character varying(32) NOT NULL, "import_run_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "amazon_order_id" character varying(40) NOT NULL, "merchant_order_id" character varying(100), "purchase_date" TIMESTAMP WITH TIME ZONE NOT NULL, "last_update_date" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(32) NOT NULL, "fulfillment_channel" character varying(3) NOT NULL, "sales_channel" character varying(40), "order_channel" character varying(60), "ship_service_level" character varying(60), "seller_account_id" character varying(32) NOT NULL, "marketplace_id" character varying(20) NOT NULL, "order_total" numeric(14,2), "currency" character(3), "ship_state" character varying(100), "ship_country" character(2), "ship_postal_code" character varying(20), "is_business_order" boolean NOT NULL DEFAULT false, "delivered_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_57a4987748e0236f93be4d0f1eb" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_cf5c3a4e793c02fe4bc2194072" ON "amazon_order"  ("import_run_id") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_4fe0e295cdf448b409c493c1aa" ON "amazon_order"  ("amazon_order_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_c2d8d12fb1b718d485dd8f92c7" ON "amazon_order"  ("delivered_at") `);
    await queryRunner.query(`CREATE INDEX "IDX_569cffa5d9fe8fea8ffcf2b492" ON "amazon_order"  ("purchase_date") `);
    await queryRunner.query(`CREATE INDEX "IDX_8bca406a46a71a0843d135ebed" ON "amazon_order"  ("seller_account_id", "marketplace_id", "purchase_date") `);
    await queryRunner.query(`CREATE TABLE "order_item" ("source" character varying(32) NOT NULL, "import_run_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "order_id" bigint NOT NULL, "order_item_id" character varying(40), "sku" character varying(80) NOT NULL, "asin" character varying(20), "product_name" character varying(500), "quantity" integer NOT NULL, "item_price" numeric(14,2), "item_tax" numeric(14,2), "shipping_price" numeric(14,2), "promotion_discount" numeric(14,2), "item_status" character varying(40), CONSTRAINT "UQ_114a65da8249c6f4c411348c666" UNIQUE ("order_id", "sku"), CONSTRAINT "PK_d01158fe15b1ead5c26fd7f4e90" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_50bd78e2eeb4087afd3c75028d" ON "order_item"  ("import_run_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_bb5b5eb6ab963ab2e541ce2450" ON "order_item"  ("asin") `);
    await queryRunner.query(`CREATE INDEX "IDX_140f3f4cb0b725d335e883ce73" ON "order_item"  ("sku") `);
    await queryRunner.query(`CREATE TABLE "order_return" ("source" character varying(32) NOT NULL, "import_run_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "source_kind" character varying(3) NOT NULL, "return_key" character varying(100) NOT NULL, "return_date" TIMESTAMP WITH TIME ZONE NOT NULL, "amazon_order_id" character varying(40) NOT NULL, "sku" character varying(80) NOT NULL, "asin" character varying(20), "fnsku" character varying(20), "quantity" integer NOT NULL, "reason" character varying(100), "disposition" character varying(100), "status" character varying(100), "fulfillment_center_id" character varying(10), "license_plate_number" character varying(40), "customer_comments" text, "seller_account_id" character varying(32) NOT NULL, "marketplace_id" character varying(20) NOT NULL, CONSTRAINT "UQ_31d089252273a819242e8a82bd0" UNIQUE ("seller_account_id", "source_kind", "return_key", "sku"), CONSTRAINT "PK_36413fb3df0d9d66ae67cbdcb9a" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_c2533326852044efdb525eae39" ON "order_return"  ("import_run_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_8c3af222617b66d39a6a468f64" ON "order_return"  ("amazon_order_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_9ecf157e88ba9f6ac7297b12a5" ON "order_return"  ("seller_account_id", "marketplace_id", "return_date") `);
    await queryRunner.query(`CREATE TABLE "shipment" ("source" character varying(32) NOT NULL, "import_run_id" uuid, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "shipment_id" character varying(40) NOT NULL, "shipment_item_id" character varying(40) NOT NULL, "order_id" bigint, "amazon_order_id" character varying(40) NOT NULL, "sku" character varying(80) NOT NULL, "quantity_shipped" integer NOT NULL, "carrier" character varying(60), "tracking_number" character varying(80), "ship_date" TIMESTAMP WITH TIME ZONE NOT NULL, "estimated_arrival" TIMESTAMP WITH TIME ZONE, "fulfillment_center_id" character varying(10), "seller_account_id" character varying(32) NOT NULL, "marketplace_id" character varying(20) NOT NULL, CONSTRAINT "UQ_0b3acc6b224cd0893ecef72cbf2" UNIQUE ("shipment_id", "shipment_item_id"), CONSTRAINT "PK_f51f635db95c534ca206bf7a0a4" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_d3392c80f48bc97c615390d09a" ON "shipment"  ("import_run_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_8326c2309eef8967ec2b38a05e" ON "shipment"  ("order_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_642b3a6ddb2d30f5f0aa594575" ON "shipment"  ("amazon_order_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_c91d2c0dcd80678ad46cfd3ab7" ON "shipment"  ("seller_account_id", "marketplace_id", "ship_date") `);
    await queryRunner.query(`ALTER TABLE "amazon_order" ADD CONSTRAINT "FK_ee463b866923c5a31cf7d0ec120" FOREIGN KEY ("seller_account_id") REFERENCES "seller_account"("seller_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "amazon_order" ADD CONSTRAINT "FK_4ea12a193cb82477eef6d6ccaf8" FOREIGN KEY ("marketplace_id") REFERENCES "marketplace"("marketplace_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "order_item" ADD CONSTRAINT "FK_e9674a6053adbaa1057848cddfa" FOREIGN KEY ("order_id") REFERENCES "amazon_order"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "order_return" ADD CONSTRAINT "FK_fd5877a189d0796f616cb934ddd" FOREIGN KEY ("seller_account_id") REFERENCES "seller_account"("seller_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "order_return" ADD CONSTRAINT "FK_d468a007fa94b1e53fcf1ef6ba0" FOREIGN KEY ("marketplace_id") REFERENCES "marketplace"("marketplace_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "shipment" ADD CONSTRAINT "FK_8326c2309eef8967ec2b38a05e7" FOREIGN KEY ("order_id") REFERENCES "amazon_order"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "shipment" ADD CONSTRAINT "FK_e490cd5003f4f0d695ea0bfd8a4" FOREIGN KEY ("seller_account_id") REFERENCES "seller_account"("seller_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "shipment" ADD CONSTRAINT "FK_903079262569bffa9b50ef160b1" FOREIGN KEY ("marketplace_id") REFERENCES "marketplace"("marketplace_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "shipment" DROP CONSTRAINT "FK_903079262569bffa9b50ef160b1"`);
    await queryRunner.query(`ALTER TABLE "shipment" DROP CONSTRAINT "FK_e490cd5003f4f0d695ea0bfd8a4"`);
    await queryRunner.query(`ALTER TABLE "shipment" DROP CONSTRAINT "FK_8326c2309eef8967ec2b38a05e7"`);
    await queryRunner.query(`ALTER TABLE "order_return" DROP CONSTRAINT "FK_d468a007fa94b1e53fcf1ef6ba0"`);
    await queryRunner.query(`ALTER TABLE "order_return" DROP CONSTRAINT "FK_fd5877a189d0796f616cb934ddd"`);
    await queryRunner.query(`ALTER TABLE "order_item" DROP CONSTRAINT "FK_e9674a6053adbaa1057848cddfa"`);
    await queryRunner.query(`ALTER TABLE "amazon_order" DROP CONSTRAINT "FK_4ea12a193cb82477eef6d6ccaf8"`);
    await queryRunner.query(`ALTER TABLE "amazon_order" DROP CONSTRAINT "FK_ee463b866923c5a31cf7d0ec120"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c91d2c0dcd80678ad46cfd3ab7"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_642b3a6ddb2d30f5f0aa594575"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_8326c2309eef8967ec2b38a05e"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_d3392c80f48bc97c615390d09a"`);
    await queryRunner.query(`DROP TABLE "shipment"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_9ecf157e88ba9f6ac7297b12a5"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_8c3af222617b66d39a6a468f64"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c2533326852044efdb525eae39"`);
    await queryRunner.query(`DROP TABLE "order_return"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_140f3f4cb0b725d335e883ce73"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_bb5b5eb6ab963ab2e541ce2450"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_50bd78e2eeb4087afd3c75028d"`);
    await queryRunner.query(`DROP TABLE "order_item"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_8bca406a46a71a0843d135ebed"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_569cffa5d9fe8fea8ffcf2b492"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_c2d8d12fb1b718d485dd8f92c7"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_4fe0e295cdf448b409c493c1aa"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_cf5c3a4e793c02fe4bc2194072"`);
    await queryRunner.query(`DROP TABLE "amazon_order"`);
  }
}
