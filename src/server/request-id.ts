// Request id: taken from `X-Request-Id` when it is a sane token no longer than the logs store (100
// characters), generated otherwise; echoed on the response and carried by logs, the audit record
// and the API call log, all with the same value.
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

const SANE_ID = /^[A-Za-z0-9._:-]{1,100}$/;

export function requestIdMiddleware(): RequestHandler {
  return (req, res, next) => {
    const offered = req.get('x-request-id');
    const requestId = offered && SANE_ID.test(offered) ? offered : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    next();
  };
}
