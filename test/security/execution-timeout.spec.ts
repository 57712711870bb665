// The execution timeout: fields not started when the time is up are refused with one
// QUERY_TOO_COMPLEX error naming EXECUTION_TIMEOUT_MS; no further resolver runs.
import { ApolloServer } from '@apollo/server';
import { buildSchema } from 'graphql';
import type { RequestContext } from '../../src/context';
import type { OperationLimits } from '../../src/security/limits';
import { securityPlugin } from '../../src/security/security.plugin';

const LIMITS: OperationLimits = {
  depth: 0,
  cost: 0,
  aliases: 0,
  directives: 0,
  tokens: 0,
  documentBytes: 0,
  batchOperations: 0,
  // Wide enough that a quick operation finishes within it on a loaded machine.
  executionTimeoutMs: 250,
  defaultPageSize: 20,
  maxPageSize: 100,
  introspectionDepth: 0,
  introspectionCost: 0,
};

describe('execution timeout', () => {
  it('refuses the fields left when the time is up, with one error', async () => {
    let detailCalls = 0;
    const schema = buildSchema('type Item { id: Int detail: String } type Query { items: [Item] fast: Int }');
    const rootValue = {
      // Resolves well after the timeout (4x), so the items' fields start after it.
      items: () => new Promise((resolve) => setTimeout(() => resolve([1, 2, 3].map((id) => ({ id, detail: () => (detailCalls += 1) }))), 1_000)),
      fast: () => 1,
    };
    const server = new ApolloServer<RequestContext>({
      schema,
      rootValue,
      plugins: [securityPlugin({ limits: LIMITS, mayIntrospect: () => true, detector: null })],
    });
    await server.start();
    try {
      const response = await server.executeOperation({ query: '{ items { id detail } }' }, { contextValue: {} as RequestContext });
      const result = response.body.kind === 'single' ? response.body.singleResult : null;
      expect(result?.errors).toHaveLength(1);
      expect(result?.errors?.[0]).toMatchObject({
        message: 'Operation refused: its execution time in milliseconds is above the limit of 250 (EXECUTION_TIMEOUT_MS)',
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'EXECUTION_TIMEOUT_MS', max: 250 },
      });
      expect(detailCalls).toBe(0);

      const quick = await server.executeOperation({ query: '{ fast }' }, { contextValue: {} as RequestContext });
      expect(quick.body.kind === 'single' && quick.body.singleResult).toMatchObject({ data: { fast: 1 } });
    } finally {
      await server.stop();
    }
  });
});
