import { ValueError, isExcelDamaged, parseBoolean, parseDate, parseDecimal, parseId, parseInteger, parseTimestamp } from '../../src/ingest/values';

describe('timestamps as Amazon files write them', () => {
  test.each([
    ['2015-12-02T03:27:08+00:00', {}, '2015-12-02T03:27:08.000Z'],
    ['2017-06-05T06:57:28+09:00', {}, '2017-06-04T21:57:28.000Z'],
    ['2020-07-14T03:35:13.214Z', {}, '2020-07-14T03:35:13.214Z'],
    ['2022-07-11T01:34:18-07:00', {}, '2022-07-11T08:34:18.000Z'],
    ['2013-01-07 07:35:42 PST', {}, '2013-01-07T15:35:42.000Z'],
    ['2013-07-07 07:35:42 PDT', {}, '2013-07-07T14:35:42.000Z'],
    ['2023-01-01 00:00:00 UTC', {}, '2023-01-01T00:00:00.000Z'],
    ['29/09/2025 16:19:39 BST', { dateOrder: 'DMY' as const }, '2025-09-29T15:19:39.000Z'],
    ['24/03/2011 09:29:39 GMT', { dateOrder: 'DMY' as const }, '2011-03-24T09:29:39.000Z'],
    // 08/07/2016 is 8 July in the UK, 7 August in the US.
    ['08/07/2016 10:12:40 BST', { dateOrder: 'DMY' as const }, '2016-07-08T09:12:40.000Z'],
    ['08/07/2016 10:12:40 PDT', { dateOrder: 'MDY' as const }, '2016-08-07T17:12:40.000Z'],
    ['2017/06/05 6:57:28 JST', {}, '2017-06-04T21:57:28.000Z'],
    ['10.07.2025 12:00:00 MESZ', {}, '2025-07-10T10:00:00.000Z'],
    ['10-Jul-2025', {}, '2025-07-10T00:00:00.000Z'],
    [' ', {}, null],
  ])('%s', (raw, options, expected) => {
    expect(parseTimestamp(raw, options)).toBe(expected);
  });

  test('a malformed offset is refused, not guessed', () => {
    expect(() => parseTimestamp('2013-01-15T12:24:57+00e00')).toThrow(ValueError);
    expect(() => parseTimestamp('2013-02-30 10:00:00 PST')).toThrow(ValueError);
    expect(() => parseTimestamp('yesterday')).toThrow(ValueError);
  });
});

describe('dates', () => {
  test.each([
    ['10-Jul-2025', 'MDY', '2025-07-10'],
    ['07/10/2016', 'MDY', '2016-07-10'],
    ['07/10/2016', 'DMY', '2016-10-07'],
    ['09/06/25', 'DMY', '2025-06-09'],
    ['09/06/25', 'MDY', '2025-09-06'],
    ['13/06/25', 'MDY', '2025-06-13'],
    ['20230208', 'MDY', '2023-02-08'],
    ['Aug 18, 2026', 'MDY', '2026-08-18'],
    ['2022-07-05', 'MDY', '2022-07-05'],
  ] as const)('%s (%s)', (raw, dateOrder, expected) => {
    expect(parseDate(raw, { dateOrder })).toBe(expected);
  });
});

describe('decimals', () => {
  test.each([
    ['24732.00', {}, '24732.00'],
    ['10080', {}, '10080'],
    ['-175.00', {}, '-175.00'],
    ['95,00', { decimalComma: true }, '95.00'],
    ['1.234,56', {}, '1234.56'],
    ['1.234', { decimalComma: true }, '1234'],
    ['$ 16.22', {}, '16.22'],
    ['$1,920.00', {}, '1920.00'],
    ['18.7558%', {}, '18.7558'],
    ['(12.50)', {}, '-12.50'],
    ['€ 3,5', {}, '3.5'],
    ['--', {}, null],
    ['', {}, null],
  ])('%s', (raw, options, expected) => {
    expect(parseDecimal(raw, options)).toBe(expected);
  });

  test('numbers that are not numbers are refused without echoing them', () => {
    expect(() => parseDecimal('12 apples')).toThrow('not a number');
    expect(() => parseDecimal('4.43659E+11')).toThrow(/Excel/);
    expect(() => parseInteger('3.5')).toThrow(ValueError);
    expect(parseInteger('3.0')).toBe(3);
  });
});

describe('ids', () => {
  test('Excel-damaged ids are detected and refused', () => {
    expect(isExcelDamaged('5.80293E+13')).toBe(true);
    expect(isExcelDamaged('4.43659E+11')).toBe(true);
    expect(isExcelDamaged('67225985676654')).toBe(false);
    expect(() => parseId('5.80293E+13')).toThrow(/spreadsheet/);
  });

  test('Excel text wrapping is removed and long Ads ids stay exact strings', () => {
    expect(parseId('="171234567890123"')).toBe('171234567890123');
    expect(parseId('181234567890123456')).toBe('181234567890123456');
    expect(parseId(25934734632378)).toBe('25934734632378');
    expect(() => parseId(181234567890123456)).toThrow(/exact/);
  });

  test('single-space cells are empty', () => {
    expect(parseId(' ')).toBeNull();
  });
});

test('yes/no flags', () => {
  expect(parseBoolean('Y')).toBe(true);
  expect(parseBoolean('false')).toBe(false);
  expect(() => parseBoolean('maybe')).toThrow(ValueError);
});
