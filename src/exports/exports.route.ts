// GET /exports/:id: the file of a restricted export, to the principal that made it and no one
// else (any other caller gets 404: the export's existence is not confirmed). Every download and
// every refused attempt is recorded in the audit log.
import { performance } from 'node:perf_hooks';
import { Router, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import { DataExport } from '../../entities/gateway/data-export.entity';
import type { AuditEntry } from '../audit/audit-entry';
import { recordUserAction } from '../audit/system-logs';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../errors';
import type { Policy } from '../policy/policy';
import { Permission, type Purpose } from '../policy/taxonomy';
import { logger } from '../server/logger';
import type { Authenticate } from '../server/request-context';
import { EXPORT_EXTENSIONS, type ExportFormat } from './export-file';
import { findExportFor } from './export.service';

export interface ExportsRouteDeps {
  dataSource: DataSource;
  /** The policy in force: a fixed one, or the process's holder (asked on every download). */
  policy: Policy | { current(): Policy };
  authenticate: Authenticate;
  now: () => Date;
  /** Appends an audit record; a download whose record cannot be written is not served. */
  audit?: (entry: AuditEntry) => Promise<void>;
  /** Whether the principal is suspended (security operations); suspended principals get nothing. */
  isSuspended?: (principal: Principal) => Promise<boolean>;
}

export const EXPORT_DOWNLOAD_OPERATION = 'GET /exports/:id';

/** A header value as it is when printable ASCII, else percent-encoded (a policy version label may hold any text). */
function headerValue(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

function refuse(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

export function exportsRouter(deps: ExportsRouteDeps): Router {
  const router = Router();
  const policyInForce = (): Policy => ('current' in deps.policy && typeof deps.policy.current === 'function' ? deps.policy.current() : (deps.policy as Policy));
  router.get('/exports/:id', async (req: Request, res: Response) => {
    const startedAt = performance.now();
    const requestId = String(res.locals.requestId);
    const id = String(req.params.id);
    let principal: Principal | null;
    try {
      principal = await deps.authenticate(req.get('authorization'), { dataSource: deps.dataSource, now: deps.now, ip: req.ip ?? null });
    } catch {
      principal = null;
    }
    const audit = async (outcome: AuditEntry['outcome'], codes: string[], found: DataExport | null): Promise<boolean> => {
      if (!deps.audit) return true;
      try {
        await deps.audit({
          timestamp: deps.now(),
          requestId,
          principalId: principal?.id ?? null,
          principalKind: principal?.kind ?? null,
          principalRole: principal?.role ?? null,
          purpose: found?.purpose ?? null,
          clientName: null,
          clientVersion: null,
          sourceIp: req.ip ?? null,
          userAgent: req.get('user-agent') ?? null,
          operationType: null,
          operationName: EXPORT_DOWNLOAD_OPERATION,
          documentHash: found?.documentHash.trim() ?? null,
          variables: { exportId: id.slice(0, 100) },
          fields: [],
          categories: [],
          masked: [],
          denied: [],
          rowsByCategory: {},
          outcome,
          errorCodes: codes,
          durationMs: performance.now() - startedAt,
          policyVersion: policyInForce().version,
        });
        return true;
      } catch (error) {
        logger().error({ err: error, requestId }, 'export download could not be recorded in the audit log: not served');
        refuse(res, 503, ErrorCode.INTERNAL_SERVER_ERROR, 'The download could not be recorded in the audit log and was not served; try again later');
        return false;
      }
    };

    if (!principal) {
      if (await audit('refused', [ErrorCode.UNAUTHENTICATED], null)) {
        refuse(res, 401, ErrorCode.UNAUTHENTICATED, 'Authentication required: send the token that made the export as Authorization: Bearer <token>');
      }
      return;
    }
    if (await deps.isSuspended?.(principal)) {
      if (await audit('refused', [ErrorCode.SUSPENDED], null)) refuse(res, 403, ErrorCode.SUSPENDED, 'This principal is suspended pending review');
      return;
    }
    const caller = principal;
    const role = policyInForce().roles[caller.role];
    if (!role?.permissions.includes(Permission.EXPORT_DATA) || principal.partner) {
      if (await audit('refused', [ErrorCode.FORBIDDEN], null)) {
        refuse(res, 403, ErrorCode.FORBIDDEN, `Role ${principal.role} may not download exports (needs ${Permission.EXPORT_DATA})`);
      }
      return;
    }
    const now = deps.now();
    const lookup = await findExportFor(deps.dataSource.manager, id, caller, now);
    if (lookup.status === 'not-found') {
      if (await audit('denied', ['NOT_FOUND'], null)) {
        await recordUserAction(deps.dataSource.manager, { actor: caller.id, action: 'export.download.refused', target: id, requestId, time: now }).catch((error: unknown) =>
          logger().error({ err: error, requestId }, 'refused export download could not be recorded'),
        );
        refuse(res, 404, 'NOT_FOUND', `No export ${id} for this principal`);
      }
      return;
    }
    if (lookup.status === 'expired') {
      if (await audit('refused', ['EXPORT_EXPIRED'], lookup.export)) {
        refuse(res, 410, 'EXPORT_EXPIRED', `Export ${id} expired at ${lookup.export.expiresAt.toISOString()} and is deleted`);
      }
      return;
    }
    const file = lookup.export;
    // The file holds what the export's role read (its masks and grants): a principal whose role has
    // changed since (a user's role claim) gets it no more.
    if (file.principalRole !== caller.role) {
      if (await audit('refused', [ErrorCode.FORBIDDEN], file)) {
        refuse(res, 403, ErrorCode.FORBIDDEN, `Export ${file.id} was made under role ${file.principalRole}; this principal now has role ${caller.role}: make the export again`);
      }
      return;
    }
    // The policy in force still has to grant the purpose the rows were read for (a `policy apply`
    // may have taken it from the role since): else the file is not served.
    const purpose = file.purpose as Purpose | null;
    if (purpose !== null && (!role.purposes.includes(purpose) || !caller.purposes.includes(purpose))) {
      if (await audit('refused', [ErrorCode.PURPOSE_NOT_GRANTED], file)) {
        refuse(res, 403, ErrorCode.PURPOSE_NOT_GRANTED, `Export ${file.id} was made for purpose ${purpose}, which the policy in force no longer grants to role ${caller.role}`);
      }
      return;
    }
    if (!(await audit('ok', [], file))) return;
    try {
      await deps.dataSource.transaction(async (manager) => {
        await manager.increment(DataExport, { id: file.id }, 'downloads', 1);
        await manager.update(DataExport, { id: file.id }, { lastDownloadedAt: now });
        await recordUserAction(manager, { actor: caller.id, action: 'export.download', target: file.id, requestId, time: now });
      });
    } catch (error) {
      logger().error({ err: error, requestId }, 'export download could not be counted');
    }
    res.status(200);
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
  });
  return router;
}
