// Persisted operations: partner tokens run only the documents registered for them (by the
// SHA-256 of the document text, the hash Apollo's persisted queries use). Everyone else may use
// Apollo's automatic persisted queries; registered documents are also found by hash alone.
import { createHash } from 'node:crypto';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import type { DataSource, EntityManager } from 'typeorm';
import { ApiToken } from '../../entities/gateway/api-token.entity';
import { PersistedOperation } from '../../entities/gateway/persisted-operation.entity';
import { recordUserAction } from '../audit/system-logs';
import { badUserInput } from '../errors';

export function documentHash(document: string): string {
  return createHash('sha256').update(document, 'utf8').digest('hex');
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
  await manager
    .createQueryBuilder()
    .insert()
    .into(PersistedOperation)
    .values({
      tokenId: token.id,
      documentHash: hash,
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

  /** Registrations are cached for `cacheMs` (a removal takes that long); refusals are not cached. */
  async isRegistered(tokenId: string, hash: string): Promise<boolean> {
    const key = `${tokenId}:${hash}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < this.cacheMs) return true;
    const allowed = (await this.dataSource.getRepository(PersistedOperation).countBy({ tokenId, documentHash: hash })) > 0;
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
