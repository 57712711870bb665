// GET /exports/:id: the file of a restricted export, to the principal that made it and no one
// else (any other caller gets 404: the export's existence is not confirmed). Admitted and recorded
// like every entry point (src/admission): every download and every refused attempt is in the
// audit log, and a file is sent only after its record is written.
import { Router, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import { DataExport } from '../../entities/gateway/data-export.entity';
import type { Admission } from '../admission/admission';
import { admittedRoute, routeRefusal } from '../admission/http-admission';
import { recordUserAction } from '../audit/system-logs';
import { ErrorCode } from '../errors';
import { logger } from '../logger';
import { Permission, type Purpose } from '../policy/taxonomy';
import { EXPORT_EXTENSIONS, type ExportFormat } from './export-file';
import { exportRefusalFor, findExportFor } from './export.service';

export interface ExportsRouteDeps {
  dataSource: DataSource;
  admission: Admission;
}

export const EXPORT_DOWNLOAD_OPERATION = 'GET /exports/:id';

/** A header value as it is when printable ASCII, else percent-encoded (a policy version label may hold any text). */
function headerValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

export function exportsRouter(deps: ExportsRouteDeps): Router {
  const router = Router();
  const spec = {
    entry: 'exports',
    operation: EXPORT_DOWNLOAD_OPERATION,
    permission: { permission: Permission.EXPORT_DATA, what: 'download exports' },
    describe: (req: Request) => ({ variables: { exportId: String(req.params.id).slice(0, 100) } }),
  } as const;
  router.get(
    '/exports/:id',
    admittedRoute(deps.admission, spec, async (ctx, req) => {
      const id = String(req.params.id);
      const caller = ctx.principal!;
      const now = ctx.now();
      const lookup = await findExportFor(deps.dataSource.manager, id, caller, now);
      if (lookup.status === 'not-found') {
        await recordUserAction(deps.dataSource.manager, { actor: caller.id, action: 'export.download.refused', target: id, requestId: ctx.requestId, time: now }).catch((error: unknown) =>
          logger().error({ err: error, requestId: ctx.requestId }, 'refused export download could not be recorded'),
        );
        return { status: 404, json: { error: { code: 'NOT_FOUND', message: `No export ${id} for this principal` } }, facts: { errorCodes: ['NOT_FOUND'], outcome: 'denied' } };
      }
      const file = lookup.export;
      const facts = { purpose: file.purpose, documentHash: file.documentHash.trim() };
      if (lookup.status === 'expired') {
        return {
          status: 410,
          json: { error: { code: 'EXPORT_EXPIRED', message: `Export ${id} expired at ${file.expiresAt.toISOString()} and is deleted` } },
          facts: { ...facts, errorCodes: ['EXPORT_EXPIRED'], outcome: 'refused' },
        };
      }
      const refusal = exportRefusalFor(file, caller, ctx.scope, ctx.policy);
      if (refusal !== null) throw routeRefusal(403, refusal.code, refusal.message, refusal.reason ? { reason: refusal.reason } : {});
      try {
        await deps.dataSource.transaction(async (manager) => {
          await manager.increment(DataExport, { id: file.id }, 'downloads', 1);
          await manager.update(DataExport, { id: file.id }, { lastDownloadedAt: now });
          await recordUserAction(manager, { actor: caller.id, action: 'export.download', target: file.id, requestId: ctx.requestId, time: now });
        });
      } catch (error) {
        logger().error({ err: error, requestId: ctx.requestId }, 'export download could not be counted');
      }
      return {
        status: 200,
        facts: { ...facts, rowsByCategory: {}, errorCodes: [], outcome: 'ok' },
        send(res: Response) {
          res.set({
            'content-type': lookup.contentType,
            'content-disposition': `attachment; filename="sellergate-export-${file.id}.${EXPORT_EXTENSIONS[file.format as ExportFormat]}"`,
            'cache-control': 'no-store',
            'x-sellergate-export-id': file.id,
            'x-sellergate-export-purpose': file.purpose ?? '',
            'x-sellergate-export-policy-version': headerValue(file.policyVersion),
            'x-sellergate-export-rows': String(file.rowCount),
            'x-sellergate-export-sha256': file.sha256.trim(),
            'x-sellergate-export-expires': file.expiresAt.toISOString(),
          });
          res.end(file.content);
        },
      };
    }),
  );
  return router;
}
