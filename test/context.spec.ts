// The request context's own state (its governance recorder, its contexts under a root purpose,
// its memo of decisions) belongs to the one context object it was made for: a copy of the
// context starts without it, as Apollo's per-operation copy of a batched request's context does.
import { contextUnderPurpose, copyWith, LoaderRegistry, nestedRequestContext, newRequestContext, type RequestContext, type RequestContextInit } from '../src/context';
import { Purpose } from '../src/policy/taxonomy';

function context(): RequestContext {
  const init = {
    requestId: 'request-1',
    entry: 'graphql',
    principal: null,
    purpose: Purpose.BUSINESS_ANALYSIS,
    scope: { accounts: null, marketplaces: null },
    db: {},
    reads: {},
    loaders: new LoaderRegistry(),
    now: () => new Date(0),
    policy: { version: 'v1' },
    declaredPurpose: 'BUSINESS_ANALYSIS',
    refusal: null,
    http: { ip: null, userAgent: null, clientName: null, clientVersion: null },
    startedAt: 0,
  } as unknown as RequestContextInit;
  return newRequestContext(init);
}

describe('request context state', () => {
  it('gives each context object its own governance recorder, made once', () => {
    const ctx = context();
    expect(ctx.governance).toBe(ctx.governance);
    ctx.governance.masked.add('Order.buyerEmail');
    // Apollo's copy of the context for each operation of a batched request.
    const operationCopy = Object.assign(Object.create(Object.getPrototypeOf(ctx)) as object, ctx) as RequestContext;
    expect(operationCopy.governance).not.toBe(ctx.governance);
    expect([...operationCopy.governance.masked]).toEqual([]);
    expect([...ctx.governance.masked]).toEqual(['Order.buyerEmail']);
  });

  it('keeps the recorder out of copies, keys and JSON', () => {
    const ctx = context();
    ctx.governance.countRows('ORDERS' as never, 3);
    expect(Object.keys(ctx)).not.toContain('governance');
    expect(Object.getOwnPropertySymbols({ ...ctx })).toEqual([]);
    expect(JSON.stringify(ctx)).not.toContain('ORDERS');
  });

  it('uses the recorder given when the context is made', () => {
    const parent = context();
    const shared = contextUnderPurpose(parent, Purpose.ACCOUNTING);
    expect(shared.purpose).toBe(Purpose.ACCOUNTING);
    expect(shared.governance).toBe(parent.governance);
    expect(contextUnderPurpose(parent, Purpose.ACCOUNTING)).toBe(shared);
    expect(contextUnderPurpose(parent, Purpose.BUSINESS_ANALYSIS)).toBe(parent);
  });

  it('gives nested work its own recorder and loaders, with the same principal, scope and policy', () => {
    const parent = context();
    parent.governance.countRows('ORDERS' as never, 5);
    const nested = nestedRequestContext(parent);
    expect(nested.governance).not.toBe(parent.governance);
    expect(nested.governance.rowsByCategory).toEqual({});
    expect(nested.loaders).not.toBe(parent.loaders);
    expect(nested.policy).toBe(parent.policy);
    expect(nested.scope).toBe(parent.scope);
    expect(nested.rootPurposes).toBeUndefined();
  });

  it('copies as a spread would: later changes win, the base is untouched', () => {
    const base = { a: 1, b: 2 };
    const copy = copyWith<Record<string, number | undefined>>(base, { b: 3 }, { c: 4, a: undefined });
    expect(copy).toEqual({ ...base, ...{ b: 3 }, ...{ c: 4, a: undefined } });
    expect(Object.keys(copy)).toEqual(['a', 'b', 'c']);
    expect(base).toEqual({ a: 1, b: 2 });
  });
});
