// CSV injection: no CSV the product writes (exports, the access review) holds a cell a
// spreadsheet would run as a formula; plain numbers stay numbers.
import { parse as parseCsv } from 'csv-parse/sync';
import { neutralizeFormula } from '../../src/csv-safe';
import { ExportFormat, renderExport, type ExportWatermark } from '../../src/exports/export-file';
import { accessReviewCsv, type AccessReviewEntry } from '../../src/security/access-review.service';

const FORMULAS = ['=HYPERLINK("http://evil.example","x")', '+1+cmd|calc', '-2+3', '@SUM(A1:A2)', '\t=1+1', '\r=1+1', '\n=1', '＝1+1'];
const VALUES = ['-12.50', '+3', '42', 'Mug', '', 'a=b', "it's"];

/** A cell a spreadsheet would evaluate: starts with one of = + - @ TAB CR LF (or full-width = + - @) and is not a plain number. */
const runsAsFormula = (cell: string) => /^[=+\-@\t\r\n＝＋－＠]/.test(cell) && !/^[+-]?\d+(\.\d+)?$/.test(cell);

const WATERMARK: ExportWatermark = {
  id: '00000000-0000-4000-8000-000000000001',
  format: ExportFormat.CSV,
  principal: 'token:t1',
  role: 'analyst',
  purpose: 'BUSINESS_ANALYSIS',
  policyVersion: 'default-1+abc',
  operationName: 'Q',
  documentHash: 'f'.repeat(64),
  rows: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-02T00:00:00.000Z',
};

describe('CSV cells are never formulas', () => {
  it('the shared function prefixes formula starts with an apostrophe and leaves values alone', () => {
    for (const formula of FORMULAS) expect(neutralizeFormula(formula)).toBe(`'${formula}`);
    for (const value of VALUES) expect(neutralizeFormula(value)).toBe(value);
  });

  it('export files: every cell, nested values and lists included', () => {
    const rows = FORMULAS.map((formula, i) => ({ id: String(i), title: formula, account: { name: formula }, price: '-12.50', tags: [formula] }));
    const text = renderExport(ExportFormat.CSV, rows, { ...WATERMARK, rows: rows.length });
    const [, ...lines] = text.split('\n');
    const cells: string[][] = parseCsv(lines.join('\n'), { relax_column_count: true });
    const [header, ...records] = cells;
    expect(header).toEqual(['id', 'title', 'account.name', 'price', 'tags']);
    expect(records).toHaveLength(FORMULAS.length);
    expect(records.flat().filter(runsAsFormula)).toEqual([]);
    expect(records.map((record) => record[1])).toEqual(FORMULAS.map((formula) => `'${formula}`));
    expect(records.map((record) => record[3])).toEqual(FORMULAS.map(() => '-12.50'));
  });

  it('the access review CSV', () => {
    const entry = (name: string): AccessReviewEntry => ({
      principalId: name,
      kind: 'token',
      name,
      role: 'analyst',
      purposes: [name],
      categories: null,
      accounts: null,
      marketplaces: null,
      partner: false,
      createdAt: null,
      lastUsedAt: null,
      expiresAt: null,
      status: 'active',
      unusedPurposes: [],
      flagged: false,
    });
    const csv = accessReviewCsv({ generatedAt: new Date(), unusedDays: 30, entries: FORMULAS.map(entry), flagged: 0, staleCredentials: [], credentialMaxAgeDays: 90 });
    const [, ...records]: string[][] = parseCsv(csv);
    expect(records).toHaveLength(FORMULAS.length);
    expect(records.flat().filter(runsAsFormula)).toEqual([]);
    expect(records.map((record) => record[2])).toEqual(FORMULAS.map((formula) => `'${formula}`));
  });
});
