// Per-request loaders of the system-logs category.
import DataLoader from 'dataloader';
import { In } from 'typeorm';
import { AuditDocument } from '../../entities/gateway/audit-document.entity';
import type { RequestContext } from '../../src/context';

/** Redacted audit documents by hash (documents are not account data: no row scope applies). */
export function auditDocumentLoader(ctx: RequestContext): DataLoader<string, string | null> {
  return ctx.loaders.get('system-logs.auditDocument', () =>
    new DataLoader<string, string | null>(async (hashes) => {
      const rows = await ctx.reads.getRepository(AuditDocument).findBy({ hash: In([...hashes]) });
      const byHash = new Map(rows.map((row) => [row.hash.trim(), row.document]));
      return hashes.map((hash) => byHash.get(hash) ?? null);
    }),
  );
}
