// POST /imports: a report file as the request body (streamed, never buffered whole), imported
// through the same code as `sellergate import`, answered with the run summary.
import { Router, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import { recordUserAction } from '../audit/system-logs';
import type { Principal } from '../auth/principal';
import { ErrorCode } from '../errors';
import { importStream } from '../ingest/import-file';
import type { Policy } from '../policy/policy';
import { asPolicySource, type PolicySource } from '../policy/policy-holder';
import { Permission } from '../policy/taxonomy';
import { logger } from './logger';
import type { Authenticate } from './request-context';

export interface ImportsRouteDeps {
  dataSource: DataSource;
  /** The policy in force (the process's holder), asked on every upload. */
  policy: Policy | PolicySource;
  authenticate: Authenticate;
  now: () => Date;
}

function refuse(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

function query(req: Request, name: string): string | undefined {
  const value = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function outOfScope(principal: Principal, account: string, marketplace: string | undefined): boolean {
  if (principal.accounts && !principal.accounts.includes(account)) return true;
  return Boolean(principal.marketplaces && (!marketplace || !principal.marketplaces.includes(marketplace)));
}

/**
 * `POST /imports?account=<sellerId>&marketplace=<id>[&type=<REPORT_TYPE>][&encoding=][&maxErrors=N][&fileName=]`
 * with the file as the body; needs a principal whose role has the IMPORT_DATA permission.
 */
export function importsRouter(deps: ImportsRouteDeps): Router {
  const router = Router();
  const policySource = asPolicySource(deps.policy);
  router.post('/imports', async (req, res) => {
    const requestId = String(res.locals.requestId);
    let principal: Principal | null;
    try {
      principal = await deps.authenticate(req.get('authorization'), { dataSource: deps.dataSource, now: deps.now, ip: req.ip ?? null });
    } catch {
      principal = null;
    }
    if (!principal) return refuse(res, 401, ErrorCode.UNAUTHENTICATED, 'Authentication required: send a valid token as Authorization: Bearer <token>');
    if (!policySource.current().roles[principal.role]?.permissions.includes(Permission.IMPORT_DATA)) {
      return refuse(res, 403, ErrorCode.FORBIDDEN, `Role ${principal.role} may not import data (needs ${Permission.IMPORT_DATA})`);
    }
    const account = query(req, 'account');
    if (!account) return refuse(res, 400, ErrorCode.BAD_USER_INPUT, 'Name the seller account: POST /imports?account=<sellerId>&marketplace=<marketplaceId>');
    const marketplace = query(req, 'marketplace');
    if (outOfScope(principal, account, marketplace)) {
      return refuse(res, 403, ErrorCode.FORBIDDEN, 'The account or marketplace is outside this token\'s scope');
    }
    const maxErrorsText = query(req, 'maxErrors');
    const maxErrors = maxErrorsText === undefined ? undefined : Number(maxErrorsText);
    if (maxErrors !== undefined && (!Number.isInteger(maxErrors) || maxErrors < 0)) {
      return refuse(res, 400, ErrorCode.BAD_USER_INPUT, '`maxErrors` must be a non-negative integer');
    }
    const summary = await importStream(deps.dataSource, req, {
      fileName: query(req, 'fileName') ?? 'upload',
      account,
      marketplace,
      type: query(req, 'type'),
      encoding: query(req, 'encoding'),
      maxErrors,
      importedBy: principal.id,
      logger: logger().child({ requestId }),
    });
    try {
      await recordUserAction(deps.dataSource.manager, {
        actor: principal.id,
        action: summary.status === 'SUCCEEDED' ? 'import.run' : 'import.refused',
        target: summary.importRunId ?? account,
        requestId,
      });
    } catch (error) {
      logger().error({ err: error, requestId }, 'import action could not be recorded');
    }
    const code = summary.error?.code;
    const status = summary.status === 'SUCCEEDED' ? 200 : code === 'ACCOUNT_NOT_AUTHORIZED' || code === 'MARKETPLACE_NOT_AUTHORIZED' ? 403 : 422;
    res.status(status).json(summary);
  });
  return router;
}
