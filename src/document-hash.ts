// The hashes persisted operations are matched by: SHA-256 of a document's exact text, and of its
// normalized form (@graphql-tools/documents' canonical print without `__typename` selections).
// Depends on nothing of the gateway's, so the migration that backfilled the normalized hashes
// computes them exactly as the gateway does (src/security/persisted-operations.ts uses them).
import { createHash } from 'node:crypto';
import { printExecutableGraphQLDocument } from '@graphql-tools/documents';
import { parse, visit, type DocumentNode } from 'graphql';

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
