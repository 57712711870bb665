// POST /imports: a report file as the request body, or as the file part of a multipart form
// (`curl -F file=@report.txt`), streamed (never buffered whole), imported through the same code
// as `sellergate import`, answered with the run summary. Admitted and recorded like every entry
// point (src/admission): authenticate, suspension, rate limits, purpose, IMPORT_DATA, row scope,
// one audit record.
import { Transform, type Readable } from 'node:stream';
import busboy from 'busboy';
import { Router, type Request } from 'express';
import type { DataSource } from 'typeorm';
import { admittedRoute, routeRefusal, type PendingChange, type RouteAnswer } from '../admission/http-admission';
import type { Admission } from '../admission/admission';
import { recordUserAction } from '../audit/system-logs';
import { ErrorCode } from '../errors';
import { importOutOfScope, rowsWrittenByCategory } from '../ingest/import-categories';
import { importStream, type ImportSummary } from '../ingest/import-file';
import { ImportRun } from '../../entities/system-logs/import-run.entity';
import { logger } from '../logger';
import { Permission } from '../policy/taxonomy';

export interface ImportsRouteDeps {
  dataSource: DataSource;
  admission: Admission;
  /** Largest upload (IMPORT_MAX_BYTES); default 100 MiB. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
/** After a refusal, the rest of the body is read and discarded up to this many bytes and ms, then the connection is closed. */
const DRAIN_MAX_BYTES = 256 * 1024 * 1024;
const DRAIN_MAX_MS = 30_000;

/** The request body counted: past `maxBytes` the stream fails (the importer stops) and `exceeded` is set. */
function countedBody(req: Request, maxBytes: number): { stream: Transform; exceeded: () => boolean } {
  let bytes = 0;
  let over = false;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) {
        over = true;
        callback(new Error(`The upload is larger than IMPORT_MAX_BYTES (${maxBytes} bytes)`));
        return;
      }
      callback(null, chunk);
    },
  });
  // The importer sees the failure through its own reading; this listener keeps it from being unhandled.
  stream.on('error', () => {});
  // pipe(), not pipeline(): a failing importer never destroys the request (and its connection).
  req.pipe(stream);
  return { stream, exceeded: () => over };
}

/**
 * Reads and discards what is left of a refused upload, so the client, still sending, can read
 * its answer (a server that closes on unread data resets the connection, and the client never
 * sees the answer). Bounded: a body larger than DRAIN_MAX_BYTES, or slower than DRAIN_MAX_MS,
 * is cut (then the connection is closed on it). Resolves true when the body was read to its end.
 */
function drain(req: Request): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  req.unpipe();
  return new Promise((resolve) => {
    let bytes = 0;
    const finish = (complete: boolean) => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('error', onFailure).off('close', onFailure);
      if (!complete) req.pause();
      resolve(complete);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > DRAIN_MAX_BYTES) finish(false);
    };
    const onEnd = () => finish(true);
    const onFailure = () => finish(req.complete);
    const timer = setTimeout(() => finish(false), DRAIN_MAX_MS);
    req.on('data', onData).once('end', onEnd).once('error', onFailure).once('close', onFailure);
    req.resume();
  });
}

function tooLarge(maxBytes: number): RouteAnswer {
  return {
    status: 413,
    headers: { connection: 'close' },
    json: { error: { code: ErrorCode.BAD_USER_INPUT, message: `The upload is larger than the limit of ${maxBytes} bytes (IMPORT_MAX_BYTES)`, limit: 'IMPORT_MAX_BYTES', maxBytes } },
    facts: { errorCodes: [ErrorCode.BAD_USER_INPUT], outcome: 'invalid' },
  };
}

function query(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The uploaded file: the body itself, or the first file part of a multipart form. */
function uploadedFile(req: Request, body: Readable): Promise<{ stream: Readable; fileName?: string }> {
  if (!req.is('multipart/form-data')) return Promise.resolve({ stream: body });
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
    body.pipe(parser);
  });
}

/** What the import run says when the audit record of its request could not be written. */
export const NOT_RECORDED_ERROR =
  'NOT RECORDED: the audit record of this import could not be written, so the import was answered 503 and does not count as succeeded. ' +
  'The rows it wrote were committed with the run and are kept (an upsert cannot be taken back); import the same file again ' +
  'once the audit log is available: the rows then come out unchanged and that run is recorded.';

/**
 * The import's outcome once its audit record is (or is not) written. The import commits its rows
 * in its own transaction as it streams (src/ingest/import-file.ts: batches, progress), which is not
 * held open across the audit append (one connection on the embedded database, and a long upload
 * would pin a connection and the chain). Its rows are upserts: existing rows were overwritten, so
 * they cannot be undone either. When the record cannot be written the run is therefore marked
 * FAILED with NOT_RECORDED_ERROR (its counts kept, so what it wrote is known), the user action is
 * `import.unrecorded`, and the answer is 503: the run never looks successful.
 */
function importOutcome(dataSource: DataSource, summary: ImportSummary, recordAction: (action: string) => Promise<void>): PendingChange {
  return {
    commit: () => recordAction(summary.status === 'SUCCEEDED' ? 'import.run' : 'import.refused'),
    abandon: async () => {
      if (summary.importRunId === null) {
        await recordAction('import.unrecorded');
        return { importRunId: null };
      }
      const marked = summary.status === 'SUCCEEDED';
      if (marked) await dataSource.getRepository(ImportRun).update({ id: summary.importRunId, status: 'SUCCEEDED' }, { status: 'FAILED', error: NOT_RECORDED_ERROR });
      await recordAction('import.unrecorded');
      return { importRunId: summary.importRunId, importRunStatus: 'FAILED', rowsWritten: marked ? summary.rowsInserted + summary.rowsUpdated : 0, ...(marked ? { detail: NOT_RECORDED_ERROR } : {}) };
    },
  };
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
      const maxBytes = deps.maxBytes ?? DEFAULT_MAX_BYTES;
      // A declared length over the limit is refused before anything is read or imported.
      const declared = Number(req.get('content-length') ?? Number.NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        await drain(req);
        return tooLarge(maxBytes);
      }
      const body = countedBody(req, maxBytes);
      let upload: { stream: Readable; fileName?: string };
      try {
        upload = await uploadedFile(req, body.stream);
      } catch (error) {
        await drain(req);
        throw error;
      }
      const summary = await importStream(deps.dataSource, upload.stream, {
        fileName: query(req, 'fileName') ?? upload.fileName ?? 'upload',
        account,
        marketplace,
        type: query(req, 'type'),
        encoding: query(req, 'encoding'),
        maxErrors,
        importedBy: ctx.principal!.id,
        scope: ctx.scope,
        logger: logger().child({ requestId: ctx.requestId }),
      });
      // The run's user action is written once the outcome is final: after the audit record.
      const recordAction = async (action: string) => {
        try {
          await recordUserAction(deps.dataSource.manager, { actor: ctx.principal!.id, action, target: summary.importRunId ?? account, requestId: ctx.requestId });
        } catch (error) {
          logger().error({ err: error, requestId: ctx.requestId }, 'import action could not be recorded');
        }
      };
      // A refused upload (too large, not a report) is answered once the rest of its body is read.
      const refused = summary.status !== 'SUCCEEDED' && !req.complete;
      if (refused) await drain(req);
      if (body.exceeded()) return { ...tooLarge(maxBytes), pending: importOutcome(deps.dataSource, summary, recordAction) };
      const code = summary.error?.code;
      const status = summary.status === 'SUCCEEDED' ? 200 : code === 'ACCOUNT_NOT_AUTHORIZED' || code === 'MARKETPLACE_NOT_AUTHORIZED' ? 403 : 422;
      const rowsByCategory = rowsWrittenByCategory(deps.dataSource, summary);
      return {
        status,
        json: summary,
        ...(refused ? { headers: { connection: 'close' } } : {}),
        pending: importOutcome(deps.dataSource, summary, recordAction),
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
