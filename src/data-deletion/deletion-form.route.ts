// /data-deletion: the public Data Deletion page, its request form and the status page by
// reference. Public, yet admitted like every route (src/admission): anyone is the `public`
// principal of its source address, rate-limited with its own setting (PUBLIC_RATE_LIMIT_*), and
// every request leaves one audit record that names what happened, never what the requester typed.
import express, { Router, type Request, type Response } from 'express';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { DeletionRequest } from '../../entities/gateway/deletion-request.entity';
import { UserAction } from '../../entities/system-logs/user-action.entity';
import { admittedRoute, routeRefusal, type RouteSpec } from '../admission/http-admission';
import type { Admission } from '../admission/admission';
import type { Config } from '../config';
import { UNRESTRICTED_SCOPE } from '../auth/principal';
import { ErrorCode } from '../errors';
import { requestDeletion } from '../retention/deletion.service';
import { loadRetentionRules } from '../retention/retention-rules';
import { deletionSettings } from '../retention/retention-settings';
import { deletionPage, FIELD_LIMITS, notFoundPage, receivedPage, refusalPage, statusPage, type FieldErrors, type FormValues, type PageSettings } from './deletion-page';
import { holdChange } from '../admission/held-change';
import { newReference, referenceHash } from './reference';

export interface DeletionFormDeps {
  dataSource: DataSource;
  admission: Admission;
  config: Config;
}

/** The whole form body: anything larger is refused before it is read (413). */
const BODY_LIMIT = '8kb';
const MAX_ORDER_IDS = 50;
const ORDER_ID = /^\d{3}-\d{7}-\d{7}$/;
const ACCOUNT_ID = /^[A-Za-z0-9]{5,32}$/;

const text = (max: number, what: string) => z.string().trim().max(max, `${what}: at most ${max} characters`);

const formSchema = z
  .object({
    name: text(FIELD_LIMITS.name, 'Name').min(1, 'Name: enter your name'),
    email: text(FIELD_LIMITS.email, 'Email address').pipe(z.email('Email address: enter an address such as name@example.com')),
    account: text(FIELD_LIMITS.account, 'Seller account ID').refine((value) => value === '' || ACCOUNT_ID.test(value), 'Seller account ID: letters and digits only, as in A1B2C3D4E5F6G7'),
    orders: text(FIELD_LIMITS.orders, 'Amazon order IDs')
      .transform((value) => [...new Set(value.split(/[\s,;]+/).filter(Boolean))])
      .refine((ids) => ids.length <= MAX_ORDER_IDS, `Amazon order IDs: at most ${MAX_ORDER_IDS} per request`)
      .refine((ids) => ids.every((id) => ORDER_ID.test(id)), 'Amazon order IDs: each looks like 112-8095165-5463447'),
    details: text(FIELD_LIMITS.details, 'Details'),
  })
  .refine((form) => form.account !== '' || form.orders.length > 0, { path: ['account'], message: 'Name a seller account ID or Amazon order IDs (or both)' });

function stringField(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

const htmlAnswer = (status: number, page: string) => ({
  status,
  headers: { 'cache-control': 'no-store' },
  send: (res: Response) => res.type('html').send(page),
});

/** The urlencoded body, read through express's parser inside the admitted handler (so a refused body is recorded). */
function readForm(req: Request, res: Response): Promise<Record<string, unknown>> {
  const parse = express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 20 });
  return new Promise((resolve, reject) => {
    parse(req, res, (error?: unknown) => {
      if (error) {
        const type = (error as { type?: string }).type;
        if (type === 'entity.too.large') reject(routeRefusal(413, ErrorCode.BAD_USER_INPUT, `The request is larger than ${BODY_LIMIT}: shorten the fields and send it again.`));
        else if (type === 'parameters.too.many') reject(routeRefusal(413, ErrorCode.BAD_USER_INPUT, 'The request has too many fields.'));
        else reject(routeRefusal(400, ErrorCode.BAD_USER_INPUT, 'The request could not be read: send it with the form on this page.'));
        return;
      }
      resolve(req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});
    });
  });
}

export function deletionFormRouter(deps: DeletionFormDeps): Router {
  const { dataSource, admission, config } = deps;
  const router = Router();
  const settings: PageSettings = { contactEmail: config.CONTACT_EMAIL, dueDays: config.DELETION_DUE_DAYS, amazonDueHours: config.DELETION_AMAZON_DUE_HOURS };
  const rules = () => loadRetentionRules(config);
  const spec = (operation: string): RouteSpec => ({
    entry: 'deletion-form',
    operation,
    public: true,
    renderRefusal: (status, _code, message) => (res) => res.status(status).type('html').set('cache-control', 'no-store').send(refusalPage(status, message)),
  });

  router.get(
    '/data-deletion',
    admittedRoute(admission, spec('GET /data-deletion'), async () => htmlAnswer(200, deletionPage(settings, rules()))),
  );

  router.post(
    '/data-deletion',
    admittedRoute(admission, spec('POST /data-deletion'), async (ctx, req, res) => {
      const body = await readForm(req, res);
      const values: FormValues = {
        name: stringField(body, 'name'),
        email: stringField(body, 'email'),
        account: stringField(body, 'account'),
        orders: stringField(body, 'orders'),
        details: stringField(body, 'details'),
      };
      const parsed = formSchema.safeParse(values);
      if (!parsed.success) {
        const errors: FieldErrors = {};
        for (const issue of parsed.error.issues) {
          const name = issue.path[0] as keyof FormValues;
          errors[name] ??= issue.message;
        }
        // The record names which fields were refused, never their values.
        return {
          ...htmlAnswer(400, deletionPage(settings, rules(), values, errors)),
          facts: { errorCodes: [ErrorCode.BAD_USER_INPUT], outcome: 'invalid' as const, variables: { refusedFields: Object.keys(errors).sort() } },
        };
      }
      const form = parsed.data;
      const reference = newReference();
      const now = ctx.now();
      // Kept only if its audit record is committed (src/admission/held-change.ts): otherwise
      // rolled back, or on the embedded database deleted again, before the 503 page is answered.
      const change = await holdChange(
        dataSource,
        async (manager) => {
          const filed = await requestDeletion(
            manager,
            {
              scope: { account: form.account || null, amazonOrderIds: form.orders },
              reason: form.details || 'Filed on the Data Deletion page',
              requester: `${form.name} <${form.email}>`,
              source: 'PUBLIC_FORM',
            },
            // The public asks about the company's data as a whole: no row scope to hold it to.
            { actor: 'public:data-deletion-page', requestId: ctx.requestId, now, scope: UNRESTRICTED_SCOPE },
            deletionSettings(config),
          );
          await manager.update(DeletionRequest, { id: filed.id }, { referenceHash: referenceHash(reference) });
          return filed;
        },
        async (manager, filed) => {
          // What requestDeletion wrote: the request (with the requester's name and address) and its user action.
          await manager.delete(UserAction, { action: 'deletion.request', target: filed.id, requestId: ctx.requestId });
          await manager.delete(DeletionRequest, { id: filed.id, state: 'RECEIVED' });
        },
      );
      const request = change.result;
      return {
        ...htmlAnswer(201, receivedPage(reference, settings)),
        facts: { errorCodes: [], outcome: 'ok' as const, variables: { deletionRequestId: request.id } },
        pending: { commit: change.commit, abandon: change.abandon },
      };
    }),
  );

  router.get('/data-deletion/status', admittedRoute(admission, spec('GET /data-deletion/status'), async () => htmlAnswer(200, deletionPage(settings, rules()))));

  router.post(
    '/data-deletion/status',
    admittedRoute(admission, spec('POST /data-deletion/status'), async (_ctx, req, res) => {
      const body = await readForm(req, res);
      // Every reference is looked up by its hash, well-formed or not: one answer, one query, for any miss.
      const request = await dataSource.manager.findOne(DeletionRequest, {
        where: { referenceHash: referenceHash(stringField(body, 'reference').slice(0, FIELD_LIMITS.reference)) },
        select: { id: true, state: true, receivedAt: true, dueAt: true },
      });
      if (!request) return { ...htmlAnswer(404, notFoundPage()), facts: { errorCodes: ['NOT_FOUND'], outcome: 'denied' as const } };
      return {
        ...htmlAnswer(200, statusPage({ state: request.state, receivedAt: request.receivedAt, dueAt: request.dueAt }, settings)),
        facts: { errorCodes: [], outcome: 'ok' as const, variables: { deletionRequestId: request.id } },
      };
    }),
  );
  return router;
}
