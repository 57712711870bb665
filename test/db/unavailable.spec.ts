// Which errors are infrastructure failures (503 UNAVAILABLE): judged by SQLSTATE when there is
// one, by the pg client's own messages only when there is none; a caller's input quoted in a
// message never turns a refusal into a 503.
import { GraphQLError } from 'graphql';
import { QueryFailedError } from 'typeorm';
import { isUnavailableError } from '../../src/unavailable';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('isUnavailableError', () => {
  it('recognizes terminated connections, timeouts and refused connections', () => {
    expect(isUnavailableError(pgError('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isUnavailableError(pgError('55P03', 'canceling statement due to lock timeout'))).toBe(true);
    expect(isUnavailableError(pgError('57014', 'canceling statement due to statement timeout'))).toBe(true);
    expect(isUnavailableError(pgError('53300', 'too many connections for role "x"'))).toBe(true);
    expect(isUnavailableError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isUnavailableError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isUnavailableError(new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly')))).toBe(true);
    expect(isUnavailableError(new QueryFailedError('SELECT 1', [], pgError('57P01', 'terminating connection')))).toBe(true);
  });

  it('never takes a refusal or a bad value for one, whatever its message quotes', () => {
    expect(isUnavailableError(new GraphQLError('Unknown cursor "Connection terminated"', { extensions: { code: 'BAD_USER_INPUT' } }))).toBe(false);
    expect(isUnavailableError(pgError('22P02', 'invalid input syntax for type uuid: "Connection terminated"'))).toBe(false);
    expect(isUnavailableError(new QueryFailedError('SELECT $1', ['x'], pgError('22P02', 'invalid input syntax: "ECONNRESET timeout exceeded when trying to connect"')))).toBe(false);
    expect(isUnavailableError(new Error('something else'))).toBe(false);
    expect(isUnavailableError(null)).toBe(false);
  });
});
