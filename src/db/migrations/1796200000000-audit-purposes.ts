import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One operation under several purposes (`@purpose` on root fields): its audit record names every
 * purpose its root fields were decided under in `purposes` (null for every other record).
 * `audit_append` inserts the new column; records without it hash as they did before it existed.
 */
export class AuditPurposes1796200000000 implements MigrationInterface {
  name = 'AuditPurposes1796200000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_record" ADD COLUMN "purposes" text[]`);
    await queryRunner.query(`CREATE OR REPLACE FUNCTION audit_append(
  expected_id bigint, expected_hash text, records jsonb,
  document_hashes text[], documents text[],
  checkpoint_created_at timestamptz, checkpoint_key_id text, checkpoint_signature text
) RETURNS TABLE (appended boolean, head_id text, head_hash text) LANGUAGE plpgsql AS $$
DECLARE
  found_id bigint;
  found_hash text;
  last_id bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(7303911204);
  SELECT r.id, rtrim(r.hash) INTO found_id, found_hash FROM audit_record r ORDER BY r.id DESC LIMIT 1;
  IF NOT FOUND THEN
    SELECT c.removed_to_id, rtrim(c.removed_last_hash) INTO found_id, found_hash FROM audit_checkpoint c
     WHERE c.kind = 'retention' ORDER BY c.removed_to_id DESC LIMIT 1;
    IF NOT FOUND THEN
      found_id := 0;
      found_hash := repeat('0', 64);
    END IF;
  END IF;
  IF expected_id IS NULL OR expected_hash IS NULL OR found_id <> expected_id OR found_hash <> expected_hash THEN
    RETURN QUERY SELECT false, found_id::text, found_hash;
    RETURN;
  END IF;
  IF document_hashes IS NOT NULL AND cardinality(document_hashes) > 0 THEN
    INSERT INTO audit_document (hash, document)
    SELECT d.hash, d.document FROM unnest(document_hashes, documents) AS d(hash, document)
    ON CONFLICT (hash) DO NOTHING;
  END IF;
  INSERT INTO audit_record (id, "timestamp", request_id, principal_id, principal_kind, principal_role, purpose,
    client_name, client_version, source_ip, user_agent, operation_type, operation_name, document_hash, variables,
    fields, categories, masked, denied, rows_by_category, outcome, error_codes, duration_ms, policy_version,
    served_by, purposes, prev_hash, hash)
  SELECT r."id", r."timestamp", r."requestId", r."principalId", r."principalKind", r."principalRole", r."purpose",
    r."clientName", r."clientVersion", r."sourceIp", r."userAgent", r."operationType", r."operationName",
    r."documentHash", r."variables", r."fields", r."categories", r."masked", r."denied", r."rowsByCategory",
    r."outcome", r."errorCodes", r."durationMs", r."policyVersion", r."servedBy", r."purposes", r."prevHash", r."hash"
  FROM jsonb_to_recordset(records) AS r("id" bigint, "timestamp" timestamptz, "requestId" text,
    "principalId" text, "principalKind" text, "principalRole" text, "purpose" text, "clientName" text,
    "clientVersion" text, "sourceIp" text, "userAgent" text, "operationType" text, "operationName" text,
    "documentHash" text, "variables" jsonb, "fields" text[], "categories" text[], "masked" text[], "denied" text[],
    "rowsByCategory" jsonb, "outcome" text, "errorCodes" text[], "durationMs" integer, "policyVersion" text,
    "servedBy" text, "purposes" text[], "prevHash" text, "hash" text);
  IF checkpoint_signature IS NOT NULL THEN
    last_id := (records -> -1 ->> 'id')::bigint;
    last_hash := records -> -1 ->> 'hash';
    INSERT INTO audit_checkpoint (created_at, kind, head_id, head_hash, key_id, signature)
    VALUES (checkpoint_created_at, 'periodic', last_id, last_hash, checkpoint_key_id, checkpoint_signature);
  END IF;
  RETURN QUERY SELECT true, found_id::text, found_hash;
END
$$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE OR REPLACE FUNCTION audit_append(
  expected_id bigint, expected_hash text, records jsonb,
  document_hashes text[], documents text[],
  checkpoint_created_at timestamptz, checkpoint_key_id text, checkpoint_signature text
) RETURNS TABLE (appended boolean, head_id text, head_hash text) LANGUAGE plpgsql AS $$
DECLARE
  found_id bigint;
  found_hash text;
  last_id bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(7303911204);
  SELECT r.id, rtrim(r.hash) INTO found_id, found_hash FROM audit_record r ORDER BY r.id DESC LIMIT 1;
  IF NOT FOUND THEN
    SELECT c.removed_to_id, rtrim(c.removed_last_hash) INTO found_id, found_hash FROM audit_checkpoint c
     WHERE c.kind = 'retention' ORDER BY c.removed_to_id DESC LIMIT 1;
    IF NOT FOUND THEN
      found_id := 0;
      found_hash := repeat('0', 64);
    END IF;
  END IF;
  IF expected_id IS NULL OR expected_hash IS NULL OR found_id <> expected_id OR found_hash <> expected_hash THEN
    RETURN QUERY SELECT false, found_id::text, found_hash;
    RETURN;
  END IF;
  IF document_hashes IS NOT NULL AND cardinality(document_hashes) > 0 THEN
    INSERT INTO audit_document (hash, document)
    SELECT d.hash, d.document FROM unnest(document_hashes, documents) AS d(hash, document)
    ON CONFLICT (hash) DO NOTHING;
  END IF;
  INSERT INTO audit_record (id, "timestamp", request_id, principal_id, principal_kind, principal_role, purpose,
    client_name, client_version, source_ip, user_agent, operation_type, operation_name, document_hash, variables,
    fields, categories, masked, denied, rows_by_category, outcome, error_codes, duration_ms, policy_version,
    served_by, prev_hash, hash)
  SELECT r."id", r."timestamp", r."requestId", r."principalId", r."principalKind", r."principalRole", r."purpose",
    r."clientName", r."clientVersion", r."sourceIp", r."userAgent", r."operationType", r."operationName",
    r."documentHash", r."variables", r."fields", r."categories", r."masked", r."denied", r."rowsByCategory",
    r."outcome", r."errorCodes", r."durationMs", r."policyVersion", r."servedBy", r."prevHash", r."hash"
  FROM jsonb_to_recordset(records) AS r("id" bigint, "timestamp" timestamptz, "requestId" text,
    "principalId" text, "principalKind" text, "principalRole" text, "purpose" text, "clientName" text,
    "clientVersion" text, "sourceIp" text, "userAgent" text, "operationType" text, "operationName" text,
    "documentHash" text, "variables" jsonb, "fields" text[], "categories" text[], "masked" text[], "denied" text[],
    "rowsByCategory" jsonb, "outcome" text, "errorCodes" text[], "durationMs" integer, "policyVersion" text,
    "servedBy" text, "prevHash" text, "hash" text);
  IF checkpoint_signature IS NOT NULL THEN
    last_id := (records -> -1 ->> 'id')::bigint;
    last_hash := records -> -1 ->> 'hash';
    INSERT INTO audit_checkpoint (created_at, kind, head_id, head_hash, key_id, signature)
    VALUES (checkpoint_created_at, 'periodic', last_id, last_hash, checkpoint_key_id, checkpoint_signature);
  END IF;
  RETURN QUERY SELECT true, found_id::text, found_hash;
END
$$`);
    await queryRunner.query(`ALTER TABLE "audit_record" DROP COLUMN "purposes"`);
  }
}
