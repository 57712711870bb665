import { buildSchema as buildSdlSchema, getOperationAST, parse } from 'graphql';
import { operationFacts } from '../../src/admission/operation-facts';
import { classifyOutcome } from '../../src/audit/audit-outcome';
import { redactDocument, redactVariables } from '../../src/audit/redact';

const schema = buildSdlSchema(`
  scalar DateTimeISO
  enum Status { SHIPPED PENDING }
  input Range { from: DateTimeISO, to: DateTimeISO }
  input OrderFilter { status: [Status!], amazonOrderId: String, range: Range, minTotal: Float, note: String }
  type Item { sku: String, quantity: Int }
  interface Node { id: ID! }
  type Order implements Node { id: ID!, amazonOrderId: String, items: [Item!]!, shipPostalCode: String }
  type Query { orders(first: Int, after: String, filter: OrderFilter): [Order!]!, node(id: ID!): Node }
`);

describe('variable redaction', () => {
  it('keeps enums, numbers, booleans and dates; redacts ids, free text and cursors', () => {
    const document = parse('query Q($first: Int, $after: String, $filter: OrderFilter, $id: ID!) { orders(first: $first, after: $after, filter: $filter) { id } node(id: $id) { id } }');
    const variables = {
      first: 10,
      after: 'WyIyMDI1LTAxLTAxIiwxMjNd',
      id: 'order-123',
      filter: { status: ['SHIPPED'], amazonOrderId: '112-8095165-5463447', range: { from: '2025-01-01', to: '2025-02-01T00:00:00Z' }, minTotal: 12.5, note: 'call Jane' },
      undeclared: { 'jane@example.com': 'x', ok: true, n: 3 },
    };
    expect(redactVariables(variables, schema, getOperationAST(document, 'Q'))).toEqual({
      first: 10,
      after: '[redacted]',
      id: '[redacted]',
      filter: { status: ['SHIPPED'], amazonOrderId: '[redacted]', range: { from: '2025-01-01', to: '2025-02-01T00:00:00Z' }, minTotal: 12.5, note: '[redacted]' },
      undeclared: { '[redacted]#1': '[redacted]', ok: true, n: 3 },
    });
  });

  it('redacts every string when the operation is unknown, and a value not of its enum', () => {
    expect(redactVariables({ status: 'SHIPPED', n: 1, when: '2025-03-04' })).toEqual({ status: '[redacted]', n: 1, when: '2025-03-04' });
    const document = parse('query Q($filter: OrderFilter) { orders(filter: $filter) { id } }');
    expect(redactVariables({ filter: { status: ['jane'] } }, schema, getOperationAST(document))).toEqual({ filter: { status: ['[redacted]'] } });
    expect(redactVariables(null)).toBeNull();
  });

  it('redacts string literals of a stored document but keeps enums, numbers and dates', () => {
    const printed = redactDocument(parse('{ orders(first: 5, filter: { status: [SHIPPED], amazonOrderId: "112-8095165-5463447", range: { from: "2025-01-01" } }) { id } }'));
    expect(printed).toContain('status: [SHIPPED]');
    expect(printed).toContain('first: 5');
    expect(printed).toContain('amazonOrderId: "[redacted]"');
    expect(printed).toContain('from: "2025-01-01"');
    expect(printed).not.toContain('5463447');
  });
});

describe('selected field coordinates', () => {
  it('follows named and inline fragments, interfaces and nested selections', () => {
    const document = parse(`
      query Q { orders { ...OrderFields items { sku } } node(id: "1") { id ... on Order { shipPostalCode } } __typename }
      fragment OrderFields on Order { id amazonOrderId items { quantity } }
    `);
    const facts = operationFacts(schema, document, getOperationAST(document, 'Q')!);
    expect(facts.fields).toEqual([
      'Item.quantity',
      'Item.sku',
      'Node.id',
      'Order.amazonOrderId',
      'Order.id',
      'Order.items',
      'Order.shipPostalCode',
      'Query.node',
      'Query.orders',
    ]);
    // Decisions are made per object type: a field selected on an interface counts for each implementation.
    expect([...facts.objectFields].sort()).toEqual([
      'Item.quantity',
      'Item.sku',
      'Order.amazonOrderId',
      'Order.id',
      'Order.items',
      'Order.shipPostalCode',
      'Query.node',
      'Query.orders',
    ]);
    expect(facts.introspection).toBe(false);
  });

  it('tells introspection and NUL characters in string literals, once per parsed document', () => {
    const introspection = parse('{ __schema { types { name } } }');
    const facts = operationFacts(schema, introspection, getOperationAST(introspection)!);
    expect(facts.introspection).toBe(true);
    expect(facts.fields).toEqual(['Query.__schema']);
    expect(operationFacts(schema, introspection, getOperationAST(introspection)!)).toBe(facts);
    const withNul = parse('{ node(id: "a\\u0000b") { id } }');
    expect(operationFacts(schema, withNul, getOperationAST(withNul)!).nulInLiterals).toBe(true);
  });
});

describe('outcome', () => {
  it('tells refusals, invalid requests, errors, denials and partial results apart', () => {
    const facts = { errorCodes: [] as string[], executed: true, hasData: true, denied: [] as string[] };
    expect(classifyOutcome(facts)).toBe('ok');
    expect(classifyOutcome({ ...facts, errorCodes: ['FORBIDDEN'], denied: ['Order.shipPostalCode'] })).toBe('partial');
    expect(classifyOutcome({ ...facts, hasData: false, errorCodes: ['FORBIDDEN'] })).toBe('denied');
    expect(classifyOutcome({ ...facts, executed: false, hasData: false, errorCodes: ['RATE_LIMITED'] })).toBe('refused');
    expect(classifyOutcome({ ...facts, executed: false, hasData: false, errorCodes: ['QUERY_TOO_COMPLEX'] })).toBe('refused');
    expect(classifyOutcome({ ...facts, executed: false, hasData: false, errorCodes: ['GRAPHQL_VALIDATION_FAILED'] })).toBe('invalid');
    expect(classifyOutcome({ ...facts, hasData: false, errorCodes: ['BAD_USER_INPUT'] })).toBe('invalid');
    expect(classifyOutcome({ ...facts, errorCodes: ['INTERNAL_SERVER_ERROR'] })).toBe('error');
  });
});
