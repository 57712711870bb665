// The connectors' rate table is the one Amazon's models state, operation by operation.
import { SP_API_RATES } from '../../src/connectors/operation-rates';
import { loadModels } from './stand-in/models';

test('every SP-API operation the connectors call has the rate and burst of its model', () => {
  const operations = loadModels();
  for (const [operationId, { rate, burst }] of Object.entries(SP_API_RATES)) {
    const model = operations.find((op) => op.operationId === operationId);
    expect({ operationId, rate: model?.rate, burst: model?.burst }).toEqual({ operationId, rate, burst });
  }
});

test('the stand-in routes every operation of the models, the connectors never ask for a Restricted Data Token', () => {
  const operations = loadModels();
  expect(operations.find((op) => op.operationId === 'createRestrictedDataToken')).toMatchObject({ method: 'POST', path: '/tokens/2021-03-01/restrictedDataToken' });
  expect(Object.keys(SP_API_RATES)).not.toContain('createRestrictedDataToken');
  expect(operations.find((op) => op.operationId === 'getReport')?.pattern.test('/reports/2021-06-30/reports/123')).toBe(true);
});
