import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Federation: each subgraph writes its own audit record for the data it served (or the request it
 * refused), naming itself in `served_by`; the gateway's records leave it null. `audit_append`
 * inserts the new column (records without it, as hashed before it existed, keep their hash).
 */
export class AuditServedBy1796192402991 implements MigrationInterface {
  name = 'AuditServedBy1796192402991';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_record" ADD COLUMN "served_by" character varying(64)`);
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
    prev_hash, hash)
  SELECT r."id", r."timestamp", r."requestId", r."principalId", r."principalKind", r."principalRole", r."purpose",
    r."clientName", r."clientVersion", r."sourceIp", r."userAgent", r."operationType", r."operationName",
    r."documentHash", r."variables", r."fields", r."categories", r."masked", r."denied", r."rowsByCategory",
    r."outcome", r."errorCodes", r."durationMs", r."policyVersion", r."prevHash", r."hash"
  FROM jsonb_to_recordset(records) AS r("id" bigint, "timestamp" timestamptz, "requestId" text,
    "principalId" text, "principalKind" text, "principalRole" text, "purpose" text, "clientName" text,
    "clientVersion" text, "sourceIp" text, "userAgent" text, "operationType" text, "operationName" text,
    "documentHash" text, "variables" jsonb, "fields" text[], "categories" text[], "masked" text[], "denied" text[],
    "rowsByCategory" jsonb, "outcome" text, "errorCodes" text[], "durationMs" integer, "policyVersion" text,
    "prevHash" text, "hash" text);
  IF checkpoint_signature IS NOT NULL THEN
    last_id := (records -> -1 ->> 'id')::bigint;
    last_hash := records -> -1 ->> 'hash';
    INSERT INTO audit_checkpoint (created_at, kind, head_id, head_hash, key_id, signature)
    VALUES (checkpoint_created_at, 'periodic', last_id, last_hash, checkpoint_key_id, checkpoint_signature);
  END IF;
  RETURN QUERY SELECT true, found_id::text, found_hash;
END
$$`);
    await queryRunner.query(`ALTER TABLE "audit_record" DROP COLUMN "served_by"`);
  }
}
