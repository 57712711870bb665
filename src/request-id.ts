// Request id: taken from `X-Request-Id` when it is a sane token no longer than the logs store (100
// characters), generated otherwise; echoed on the response and carried by logs, the audit record
// and the API call log, all with the same value.
// A generated id is a UUIDv7: it begins with the time, so ids sort by time, and the indexes on
// `request_id` (audit record, API call log) grow at their right edge. With random ids, every insert
// lands on some leaf page, and after each checkpoint that page goes to the WAL in full
// (docs/benchmarks.md, "Prepared statements": WAL per request grew with the log).
import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { v7 as uuidv7 } from 'uuid';

const SANE_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const REQUEST_ID = Symbol('sellergate.requestId');

type WithRequestId = ServerResponse & { [REQUEST_ID]?: string };

/** A new request id (UUIDv7, time first). */
export function newRequestId(): string {
  return uuidv7();
}

/** The id of the request `res` answers: the offered `X-Request-Id` when sane, else a new one; set on the response. */
export function assignRequestId(offered: string | string[] | undefined, res: ServerResponse): string {
  const requestId = typeof offered === 'string' && SANE_ID.test(offered) ? offered : newRequestId();
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
