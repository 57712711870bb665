// Persisted operations: partner tokens run only the documents registered for them, matched by the
// SHA-256 of the document text (the hash Apollo's persisted queries use) or of its normalized form
// (@graphql-tools/documents' canonical print, as GraphQL Code Generator's persisted documents use:
// selections, arguments and definitions sorted, no ignored characters; `__typename` selections
// dropped), so a client that re-prints a registered document (graphql-request, Apollo Client)
// still matches. Everyone else may use
// Apollo's automatic persisted queries; registered documents are also found by hash alone.
// Registered one document at a time or from a whole manifest: GraphQL Code Generator's persisted
// documents (`{ "<sha256>": "<document>" }`) or Apollo's persisted query list.
import { createHash } from 'node:crypto';
import { printExecutableGraphQLDocument } from '@graphql-tools/documents';
import { Kind, parse, visit, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { DataSource, EntityManager } from 'typeorm';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { PersistedOperation } from '../../entities/gateway/persisted-operation.entity';
import { recordUserAction } from '../audit/system-logs';
import { badUserInput } from '../errors';

export function documentHash(document: string): string {
  return createHash('sha256').update(document, 'utf8').digest('hex');
}

/** The normalized form's hash of a parsed document (kept per DocumentNode: Apollo reuses parsed documents). */
const normalizedHashes = new WeakMap<DocumentNode, string>();

export function normalizedHashOf(document: DocumentNode): string {
  let hash = normalizedHashes.get(document);
  if (hash === undefined) {
    // __typename reveals nothing and Apollo Client adds it to every selection: it does not count.
    const stripped = visit(document, {
      Field(node) {
        return node.name.value === '__typename' && !node.alias && !node.directives?.length ? null : undefined;
      },
    });
    hash = documentHash(printExecutableGraphQLDocument(stripped));
    normalizedHashes.set(document, hash);
  }
  return hash;
}

/** SHA-256 of the normalized form of a document's text (which must parse). */
export function normalizedDocumentHash(document: string): string {
  return normalizedHashOf(parse(document));
}

/** Registers `document` for a token; idempotent (the same document twice is one registration). */
export async function registerPersistedOperation(
  manager: EntityManager,
  input: { tokenId: string; document: string; createdBy: string; requestId?: string | null },
): Promise<PersistedOperation> {
  let operations: OperationDefinitionNode[];
  try {
    operations = parse(input.document).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  } catch (error) {
    throw badUserInput(`The document is not valid GraphQL: ${(error as Error).message}`);
  }
  if (operations.length === 0) throw badUserInput('The document holds no operation');
  const token = await manager.findOneBy(ApiToken, { id: input.tokenId });
  if (!token) throw badUserInput(`No token with id ${input.tokenId}`, { tokenId: input.tokenId });
  const hash = documentHash(input.document);
  const normalizedHash = normalizedDocumentHash(input.document);
  await manager
    .createQueryBuilder()
    .insert()
    .into(PersistedOperation)
    .values({
      tokenId: token.id,
      documentHash: hash,
      normalizedHash,
      document: input.document,
      operationName: operations.map((operation) => operation.name?.value ?? '(anonymous)').join(',').slice(0, 200),
      createdBy: input.createdBy.slice(0, 200),
    })
    .orIgnore()
    .execute();
  await recordUserAction(manager, { actor: input.createdBy, action: 'persisted.add', target: `${token.id}:${hash}`, requestId: input.requestId ?? null });
  return manager.findOneByOrFail(PersistedOperation, { tokenId: token.id, documentHash: hash });
}

export async function listPersistedOperations(manager: EntityManager, tokenId?: string): Promise<PersistedOperation[]> {
  return manager.find(PersistedOperation, { where: tokenId ? { tokenId } : {}, order: { createdAt: 'ASC' } });
}

export async function removePersistedOperation(manager: EntityManager, tokenId: string, hash: string, actor: string): Promise<boolean> {
  const result = await manager.delete(PersistedOperation, { tokenId, documentHash: hash });
  if (result.affected) await recordUserAction(manager, { actor, action: 'persisted.remove', target: `${tokenId}:${hash}` });
  return (result.affected ?? 0) > 0;
}

/** Answers "may this token run this document hash?", with a short per-process cache. */
export class PersistedOperationRegistry {
  private readonly cache = new Map<string, { at: number }>();
  constructor(
    private readonly dataSource: DataSource,
    private readonly cacheMs = 1000,
  ) {}

  /**
   * Whether the token registered this document: by the hash of its exact text or of its normalized
   * form. Registrations are cached for `cacheMs` (a removal takes that long); refusals are not cached.
   */
  async isRegistered(tokenId: string, hash: string | null, normalizedHash: string | null = null): Promise<boolean> {
    const key = `${tokenId}:${hash}:${normalizedHash}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < this.cacheMs) return true;
    const where = [...(hash ? [{ tokenId, documentHash: hash }] : []), ...(normalizedHash ? [{ tokenId, normalizedHash }] : [])];
    const allowed = where.length > 0 && (await this.dataSource.getRepository(PersistedOperation).countBy(where)) > 0;
    if (this.cache.size > 10_000) this.cache.clear();
    if (allowed) this.cache.set(key, { at: Date.now() });
    return allowed;
  }

  /** The text of a registered document, by hash (any token's: the hash says nothing about rights). */
  async documentFor(hash: string): Promise<string | undefined> {
    const row = await this.dataSource.getRepository(PersistedOperation).findOne({ where: { documentHash: hash }, select: { document: true } });
    return row?.document;
  }
}

/**
 * Apollo's automatic-persisted-query cache (KeyValueCache shape): documents sent by clients are
 * kept in memory (bounded), and registered documents are found in the database by hash, so a
 * partner can send only `extensions.persistedQuery.sha256Hash`.
 */
export class PersistedQueryCache {
  private readonly memory = new Map<string, string>();
  constructor(
    private readonly registry: PersistedOperationRegistry,
    private readonly maxEntries = 10_000,
  ) {}

  private hashOf(key: string): string | null {
    return /([0-9a-f]{64})$/.exec(key)?.[1] ?? null;
  }

  async get(key: string): Promise<string | undefined> {
    const remembered = this.memory.get(key);
    if (remembered !== undefined) return remembered;
    const hash = this.hashOf(key);
    return hash ? this.registry.documentFor(hash) : undefined;
  }

  async set(key: string, value: string): Promise<void> {
    if (this.memory.size >= this.maxEntries) this.memory.delete(this.memory.keys().next().value as string);
    this.memory.set(key, value);
  }

  async delete(key: string): Promise<boolean | void> {
    this.memory.delete(key);
  }
}

/** One operation of a manifest, as registered. */
export interface ManifestEntry {
  /** The id clients send (the SHA-256 of the document's text). */
  id: string;
  document: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The documents of a persisted-operations manifest: GraphQL Code Generator's persisted documents
 * (`{ "<sha256>": "<document>" }`, client preset `persistedDocuments: true`) or Apollo's persisted
 * query list (`{ format: "apollo-persisted-query-manifest", version: 1, operations: [{ id, name,
 * type, body }] }`). Every id must be the SHA-256 of its document (what clients send by hash).
 */
export function manifestEntries(manifest: unknown): ManifestEntry[] {
  let entries: ManifestEntry[];
  if (manifest && typeof manifest === 'object' && (manifest as { format?: unknown }).format === 'apollo-persisted-query-manifest') {
    const apollo = manifest as { version?: unknown; operations?: unknown };
    if (apollo.version !== 1) throw badUserInput(`Apollo persisted query manifest version ${String(apollo.version)} is not supported (version 1 is)`);
    if (!Array.isArray(apollo.operations)) throw badUserInput('The Apollo manifest has no "operations" list');
    entries = apollo.operations.map((operation: { id?: unknown; body?: unknown }, index: number) => {
      if (typeof operation?.id !== 'string' || typeof operation.body !== 'string') throw badUserInput(`operations[${index}] needs a string "id" and "body"`);
      return { id: operation.id, document: operation.body };
    });
  } else if (manifest && typeof manifest === 'object' && !Array.isArray(manifest)) {
    entries = Object.entries(manifest as Record<string, unknown>).map(([key, document]) => {
      if (typeof document !== 'string') throw badUserInput(`The document of ${key} is not a string: expected { "<sha256>": "<document>" } (GraphQL Code Generator) or an Apollo persisted query manifest`);
      // GraphQL Code Generator 5+ prefixes its hashes with the algorithm ("sha256:<hex>").
      return { id: key.startsWith('sha256:') ? key.slice('sha256:'.length) : key, document };
    });
  } else {
    throw badUserInput('Not a persisted-operations manifest: expected { "<sha256>": "<document>" } (GraphQL Code Generator) or an Apollo persisted query manifest');
  }
  if (entries.length === 0) throw badUserInput('The manifest holds no operation');
  for (const entry of entries) {
    if (!SHA256.test(entry.id) || entry.id !== documentHash(entry.document)) {
      throw badUserInput(`Manifest id ${entry.id} is not the SHA-256 of its document: generate the manifest with the sha256 hash algorithm`);
    }
  }
  return entries;
}

/** Registers every document of a manifest for a token, in the caller's transaction (all or none). */
export async function registerManifest(
  manager: EntityManager,
  input: { tokenId: string; manifest: unknown; createdBy: string; requestId?: string | null },
): Promise<PersistedOperation[]> {
  const rows: PersistedOperation[] = [];
  for (const entry of manifestEntries(input.manifest)) {
    rows.push(await registerPersistedOperation(manager, { tokenId: input.tokenId, document: entry.document, createdBy: input.createdBy, requestId: input.requestId }));
  }
  return rows;
}
