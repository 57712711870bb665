// The rows an operation's audit record counts are the rows its answer returned. An answer without
// data returned none: GraphQL answers `data: null` as soon as a non-null root field fails, while
// sibling root fields may still be reading, so what they counted must not reach the record (it
// would depend on which finished first).
import type { DataSource } from 'typeorm';
import { Admission } from '../../src/admission/admission';
import { defaultPolicy } from '../../src/policy/default-policy';
import { asPolicySource } from '../../src/policy/policy-holder';
import { Category } from '../../src/policy/taxonomy';
import { testContext } from '../support/context';

describe('rows an audit record counts', () => {
  const admission = new Admission({
    dataSource: {} as DataSource,
    policies: asPolicySource(defaultPolicy()),
    authenticate: async () => null,
  });
  const counted = () => {
    // No database is reached: the record is built from the context alone.
    const ctx = testContext({ manager: {}, driver: { isReplicated: false } } as unknown as DataSource);
    ctx.governance.countRows(Category.ORDERS, 20);
    ctx.governance.countRows(Category.CATALOG, 3);
    return ctx;
  };

  it('are those the resolvers counted when the answer carries data', () => {
    const entry = admission.entryOf(counted(), { outcome: 'partial', errorCodes: ['FORBIDDEN'], categories: ['ORDERS'], returnedNoData: false });
    expect(entry.rowsByCategory).toEqual({ ORDERS: 20, CATALOG: 3 });
    expect(entry.categories.sort()).toEqual(['CATALOG', 'ORDERS']);
  });

  it('are none when the answer carries no data, whatever was counted; the selected categories stay', () => {
    const entry = admission.entryOf(counted(), { outcome: 'invalid', errorCodes: ['BAD_USER_INPUT'], categories: ['ORDERS'], returnedNoData: true });
    expect(entry.rowsByCategory).toEqual({});
    expect(entry.categories).toEqual(['ORDERS']);
  });
});
