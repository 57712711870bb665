import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OrderSalesSummary1795779689238 implements MigrationInterface {
  name = 'OrderSalesSummary1795779689238';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "order_sales_summary" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "kind" character varying(8) NOT NULL, "seller_account_id" character varying(32) NOT NULL, "marketplace_id" character varying(20) NOT NULL, "currency" character varying(3) NOT NULL DEFAULT '', "day" date NOT NULL, "group_key" character varying(80) NOT NULL DEFAULT '', "orders" integer NOT NULL, "units" integer NOT NULL, "sales" numeric(16,2) NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_22baddd0e8be089a48ed51062ee" UNIQUE ("kind", "seller_account_id", "marketplace_id", "currency", "day", "group_key"), CONSTRAINT "PK_f8e1345750513222c27fef0c472" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE INDEX "IDX_594a8f73a21d64f3df7e76b537" ON "order_sales_summary"  ("day") `);
    await queryRunner.query(`ALTER TABLE "order_sales_summary" ADD CONSTRAINT "FK_92bc36c98025bccd62062c09cb2" FOREIGN KEY ("seller_account_id") REFERENCES "seller_account"("seller_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
    await queryRunner.query(`ALTER TABLE "order_sales_summary" ADD CONSTRAINT "FK_7fba8a07b77662e194bf61c6b27" FOREIGN KEY ("marketplace_id") REFERENCES "marketplace"("marketplace_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "order_sales_summary" DROP CONSTRAINT "FK_7fba8a07b77662e194bf61c6b27"`);
    await queryRunner.query(`ALTER TABLE "order_sales_summary" DROP CONSTRAINT "FK_92bc36c98025bccd62062c09cb2"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_594a8f73a21d64f3df7e76b537"`);
    await queryRunner.query(`DROP TABLE "order_sales_summary"`);
  }
}
