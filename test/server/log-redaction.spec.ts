// Logs never carry data values: a failed statement is logged with its SQL text and the server's
// error code, not its parameters, the row details PostgreSQL adds, or the input it quotes.
import { QueryFailedError } from 'typeorm';
import { serializeError } from '../../src/logger';

describe('error logging', () => {
  it('drops the parameters and row details of a failed statement', () => {
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint "uq_order"'), {
      code: '23505',
      severity: 'ERROR',
      detail: 'Key (amazon_order_id)=(112-8095165-5463447) already exists.',
      routine: '_bt_check_unique',
    });
    const error = new QueryFailedError('INSERT INTO "amazon_order" ("amazon_order_id", "ship_postal_code") VALUES ($1, $2)', ['112-8095165-5463447', '98109'], driverError);
    const logged = JSON.stringify(serializeError(error));
    expect(logged).toContain('INSERT INTO');
    expect(logged).toContain('23505');
    expect(logged).not.toContain('5463447');
    expect(logged).not.toContain('98109');
  });

  it('drops the input PostgreSQL quotes in a message', () => {
    const driverError = Object.assign(new Error('invalid input syntax for type timestamp with time zone: "jane@example.com"'), { code: '22007' });
    const logged = JSON.stringify(serializeError(new QueryFailedError('SELECT 1 WHERE $1::timestamptz IS NULL', ['jane@example.com'], driverError)));
    expect(logged).toContain('invalid input syntax for type timestamp with time zone');
    expect(logged).not.toContain('jane@example.com');
  });
});
