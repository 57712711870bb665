// A handler on Node's own request and response, as Express and the `/graphql` entry both run it:
// it calls `next` to go on, or answers the request itself (and does not call `next`).
import type { IncomingMessage, ServerResponse } from 'node:http';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** Runs `handlers` in order, then `done`; an error passed to `next` goes to `failed`. */
export function runHandlers(handlers: readonly NodeHandler[], req: IncomingMessage, res: ServerResponse, done: () => void, failed: (error: unknown) => void): void {
  const step = (index: number): void => {
    if (index === handlers.length) {
      done();
      return;
    }
    try {
      handlers[index](req, res, (error?: unknown) => (error ? failed(error) : step(index + 1)));
    } catch (error) {
      failed(error);
    }
  };
  step(0);
}
