// Request id: taken from `X-Request-Id` when it is a sane token no longer than the logs store (100
// characters), generated otherwise; echoed on the response and carried by logs, the audit record
// and the API call log, all with the same value.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

const SANE_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const REQUEST_ID = Symbol('sellergate.requestId');

type WithRequestId = ServerResponse & { [REQUEST_ID]?: string };

/** The id of the request `res` answers: the offered `X-Request-Id` when sane, else a new one; set on the response. */
export function assignRequestId(offered: string | string[] | undefined, res: ServerResponse): string {
  const requestId = typeof offered === 'string' && SANE_ID.test(offered) ? offered : randomUUID();
  (res as WithRequestId)[REQUEST_ID] = requestId;
  res.setHeader('X-Request-Id', requestId);
  return requestId;
}

/** The id `assignRequestId` gave the request `res` answers. */
export function requestIdOf(res: ServerResponse): string | undefined {
  return (res as WithRequestId)[REQUEST_ID];
}

/** For the routes Express serves: the id also in `res.locals.requestId`. */
export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    res.locals.requestId = assignRequestId(req.headers['x-request-id'], res);
    next();
  };
}
