import { operationLabeller, outcomeOf } from '../../src/server/metrics';

describe('metric labels', () => {
  it('name admitted operations up to a cap, then count the rest as other', () => {
    const label = operationLabeller(3);
    expect(['A', 'B', 'C', 'D', 'A'].map((name) => label(name, true))).toEqual(['A', 'B', 'C', 'other', 'A']);
    expect(label('Z', false)).toBe('unadmitted');
    expect(label(null, true)).toBe('anonymous');
    expect(label(`x${'y'.repeat(80)}`, true)).toBe('other');
  });

  it('keep outcome codes to the gateway\'s own', () => {
    expect(outcomeOf([], true)).toBe('ok');
    expect(outcomeOf(['FORBIDDEN'], true)).toBe('partial');
    expect(outcomeOf(['RATE_LIMITED'], false)).toBe('rate_limited');
    expect(outcomeOf(['SOMETHING_A_CLIENT_MADE_UP'], false)).toBe('error');
  });
});
