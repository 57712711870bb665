import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sync runs get a heartbeat (`heartbeat_at`), refreshed while a run works: a RUNNING run whose
 * heartbeat is stale was interrupted (its process died) and is closed as FAILED. Existing rows take
 * their end, or their start.
 */
export class SyncRunHeartbeat1796201000000 implements MigrationInterface {
  name = 'SyncRunHeartbeat1796201000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sync_run" ADD "heartbeat_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`UPDATE "sync_run" SET "heartbeat_at" = COALESCE("finished_at", "started_at")`);
    await queryRunner.query(`ALTER TABLE "sync_run" ALTER COLUMN "heartbeat_at" SET NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "sync_run" DROP COLUMN "heartbeat_at"`);
  }
}
