// POST /imports: a report file as the request body, or as the file part of a multipart form
// (`curl -F file=@report.txt`), streamed (never buffered whole), imported through the same code
// as `sellergate import`, answered with the run summary. Admitted and recorded like every entry
// point (src/admission): authenticate, suspension, rate limits, purpose, IMPORT_DATA, row scope,
// one audit record.
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { Router, type Request } from 'express';
import type { DataSource } from 'typeorm';
import { admittedRoute, routeRefusal } from '../admission/http-admission';
import type { Admission } from '../admission/admission';
import { recordUserAction } from '../audit/system-logs';
import { ErrorCode } from '../errors';
import { importOutOfScope, rowsWrittenByCategory } from '../ingest/import-categories';
import { importStream } from '../ingest/import-file';
import { logger } from '../logger';
import { Permission } from '../policy/taxonomy';

export interface ImportsRouteDeps {
  dataSource: DataSource;
  admission: Admission;
}

function query(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The uploaded file: the body itself, or the first file part of a multipart form. */
function uploadedFile(req: Request): Promise<{ stream: Readable; fileName?: string }> {
  if (!req.is('multipart/form-data')) return Promise.resolve({ stream: req });
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 20, fieldSize: 4096 } });
    } catch (error) {
      reject(routeRefusal(400, ErrorCode.BAD_USER_INPUT, `Malformed multipart body: ${(error as Error).message}`));
      return;
    }
    let found = false;
    parser.on('file', (_name, file, info) => {
      if (found) {
        file.resume();
        return;
      }
      found = true;
      resolve({ stream: file, fileName: info.filename || undefined });
    });
    parser.on('close', () => {
      if (!found) reject(routeRefusal(400, ErrorCode.BAD_USER_INPUT, 'The multipart body holds no file: send the report as a file part, e.g. curl -F file=@report.txt'));
    });
    parser.on('error', (error: Error) => {
      if (!found) reject(routeRefusal(400, ErrorCode.BAD_USER_INPUT, `Malformed multipart body: ${error.message}`));
    });
    req.pipe(parser);
  });
}

/**
 * `POST /imports?account=<sellerId>&marketplace=<id>[&type=<REPORT_TYPE>][&encoding=][&maxErrors=N][&fileName=]`
 * with the file as the body (or a multipart form's file part); needs IMPORT_DATA.
 */
export function importsRouter(deps: ImportsRouteDeps): Router {
  const router = Router();
  const spec = { entry: 'imports', operation: 'POST /imports', permission: { permission: Permission.IMPORT_DATA, what: 'import data' }, longRunning: true } as const;
  router.post(
    '/imports',
    admittedRoute(deps.admission, spec, async (ctx, req) => {
      const account = query(req, 'account');
      if (!account) throw routeRefusal(400, ErrorCode.BAD_USER_INPUT, 'Name the seller account: POST /imports?account=<sellerId>&marketplace=<marketplaceId>');
      const marketplace = query(req, 'marketplace');
      if (importOutOfScope(ctx.scope, account, marketplace)) throw routeRefusal(403, ErrorCode.FORBIDDEN, "The account or marketplace is outside this principal's scope");
      const maxErrorsText = query(req, 'maxErrors');
      const maxErrors = maxErrorsText === undefined ? undefined : Number(maxErrorsText);
      if (maxErrors !== undefined && (!Number.isInteger(maxErrors) || maxErrors < 0)) {
        throw routeRefusal(400, ErrorCode.BAD_USER_INPUT, '`maxErrors` must be a non-negative integer');
      }
      const upload = await uploadedFile(req);
      const summary = await importStream(deps.dataSource, upload.stream, {
        fileName: query(req, 'fileName') ?? upload.fileName ?? 'upload',
        account,
        marketplace,
        type: query(req, 'type'),
        encoding: query(req, 'encoding'),
        maxErrors,
        importedBy: ctx.principal!.id,
        logger: logger().child({ requestId: ctx.requestId }),
      });
      try {
        await recordUserAction(deps.dataSource.manager, {
          actor: ctx.principal!.id,
          action: summary.status === 'SUCCEEDED' ? 'import.run' : 'import.refused',
          target: summary.importRunId ?? account,
          requestId: ctx.requestId,
        });
      } catch (error) {
        logger().error({ err: error, requestId: ctx.requestId }, 'import action could not be recorded');
      }
      const code = summary.error?.code;
      const status = summary.status === 'SUCCEEDED' ? 200 : code === 'ACCOUNT_NOT_AUTHORIZED' || code === 'MARKETPLACE_NOT_AUTHORIZED' ? 403 : 422;
      const rowsByCategory = rowsWrittenByCategory(deps.dataSource, summary);
      return {
        status,
        json: summary,
        facts: {
          // The account and file name identify the seller: only the report type and limits are kept.
          variables: { type: summary.reportType, maxErrors: maxErrors ?? null, importRunId: summary.importRunId },
          categories: Object.keys(rowsByCategory),
          rowsByCategory: rowsByCategory as Record<string, number>,
          errorCodes: code ? [code] : [],
          outcome: summary.status === 'SUCCEEDED' ? 'ok' : status === 403 ? 'denied' : 'invalid',
        },
      };
    }),
  );
  return router;
}
