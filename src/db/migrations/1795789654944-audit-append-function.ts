import type { MigrationInterface, QueryRunner } from 'typeorm';

// Hand-written: `audit_append` extends the audit hash chain in one statement (one round trip,
// its own transaction). It takes the chain's advisory lock (src/audit/audit-head.ts
// AUDIT_CHAIN_LOCK), reads the head (last record, else the last retention checkpoint, else the
// genesis hash: the same rule as chainBase/readHead) and inserts the batch only when the head is
// the one the records were hashed against (`expected_id`, `expected_hash`). Otherwise it inserts
// nothing and returns the head, so the writer hashes the batch again against it. The documents
// (once per hash) and an optional signed periodic checkpoint of the new head (the batch's last
// record, signed by the writer) go in with the records. Records come as a JSON array of their canonical content (camelCase keys, as hashed)
// plus `hash`, so the text that was hashed is the text that is stored.
// Each statement of a plpgsql function takes a new snapshot, so the head is read after the lock.
export class AuditAppendFunction1795789654944 implements MigrationInterface {
  name = 'AuditAppendFunction1795789654944';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION audit_append(
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
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'DROP FUNCTION audit_append(bigint, text, jsonb, text[], text[], timestamptz, text, text)',
    );
  }
}
