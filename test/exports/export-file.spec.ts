// The rows an export takes from a result, and the CSV and JSONL it writes from them.
import { parse as parseCsv } from 'csv-parse/sync';
import { columnsOf, ExportFormat, renderExport, rowsOf, type ExportWatermark } from '../../src/exports/export-file';
import { watermarkPrincipal } from '../../src/exports/export.service';

const WATERMARK: ExportWatermark = {
  id: '00000000-0000-4000-8000-000000000001',
  format: ExportFormat.CSV,
  principal: 'token:t1',
  role: 'analyst',
  purpose: 'BUSINESS_ANALYSIS',
  policyVersion: 'default-1+abc',
  operationName: 'Q',
  documentHash: 'f'.repeat(64),
  rows: 2,
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-02T00:00:00.000Z',
};

describe('export rows', () => {
  it('takes a root list, a connection\'s nodes or edges\' nodes, or the one list of an object', () => {
    expect(rowsOf({ apiTokens: [{ id: 'a' }] })).toEqual([{ id: 'a' }]);
    expect(rowsOf({ orders: { totalCount: 2, nodes: [{ id: '1' }, { id: '2' }], pageInfo: { hasNextPage: false } } })).toEqual([{ id: '1' }, { id: '2' }]);
    expect(rowsOf({ orders: { edges: [{ cursor: 'c', node: { id: '1' } }] } })).toEqual([{ id: '1' }]);
    expect(rowsOf({ salesSummary: { suppressedGroups: 1, groups: [{ day: 'x', orders: 5 }] } })).toEqual([{ day: 'x', orders: 5 }]);
  });

  it('refuses several root fields, several or no lists, and rows that are not objects', () => {
    expect(() => rowsOf({ a: [], b: [] })).toThrow(/one root field; this query selects 2 \(a, b\)/);
    expect(() => rowsOf({ orders: { nodes: [], edges: [] } })).toThrow(/found nodes, edges/);
    expect(() => rowsOf({ order: { id: '1' } })).toThrow(/found none/);
    expect(() => rowsOf({ ids: ['a'] })).toThrow(/Row 0 of ids is not an object/);
  });
});

describe('export files', () => {
  const rows = [
    { id: '1', title: 'Mug, "large"\nblue', price: 12.5, active: true, account: { id: 'psn_1', name: null }, items: [{ sku: 'A' }] },
    { id: '2', title: null, price: null, active: false, account: null, items: [] },
  ];

  it('writes CSV columns as dotted paths, values as in the JSON (lists as JSON, null empty), quoted where needed', () => {
    expect(columnsOf(rows)).toEqual(['id', 'title', 'price', 'active', 'account.id', 'account.name', 'items']);
    const text = renderExport(ExportFormat.CSV, rows, WATERMARK);
    const [watermark] = text.split('\n');
    expect(watermark).toBe(
      '# sellergate export id=00000000-0000-4000-8000-000000000001 principal=token:t1 role=analyst purpose=BUSINESS_ANALYSIS policyVersion=default-1+abc operationName=Q documentHash=' +
        `${'f'.repeat(64)} rows=2 createdAt=2026-01-01T00:00:00.000Z expiresAt=2026-01-02T00:00:00.000Z`,
    );
    expect(parseCsv(text, { from_line: 2 })).toEqual([
      ['id', 'title', 'price', 'active', 'account.id', 'account.name', 'items'],
      ['1', 'Mug, "large"\nblue', '12.5', 'true', 'psn_1', '', '[{"sku":"A"}]'],
      ['2', '', '', 'false', '', '', '[]'],
    ]);
  });

  it('keeps the CSV watermark on one line whatever a policy version label holds', () => {
    const policyVersion = 'Q4 – "review"\n=HYPERLINK("x")+abc';
    const text = renderExport(ExportFormat.CSV, rows, { ...WATERMARK, policyVersion });
    const [watermark, header] = text.split('\n');
    expect(watermark).toContain(` policyVersion=${JSON.stringify(policyVersion)} operationName=Q `);
    expect(header).toBe('id,title,price,active,account.id,account.name,items');
  });

  it('writes JSONL as one JSON.stringify(row) per line after the watermark', () => {
    const text = renderExport(ExportFormat.JSONL, rows, { ...WATERMARK, format: ExportFormat.JSONL });
    const lines = text.split('\n');
    expect(JSON.parse(lines[0])).toEqual({ sellergateExport: { ...WATERMARK, format: 'JSONL' } });
    expect(lines.slice(1)).toEqual([JSON.stringify(rows[0]), JSON.stringify(rows[1]), '']);
  });
});

describe('export watermark', () => {
  it('names a token by its id and a user by the pseudonym of its subject, never the subject itself', () => {
    const key = 'k'.repeat(32);
    expect(watermarkPrincipal({ kind: 'token', id: '3f0e1c9a-0000-4000-8000-000000000001' }, key)).toBe('token:3f0e1c9a-0000-4000-8000-000000000001');
    const user = watermarkPrincipal({ kind: 'user', id: 'alice@example.com' }, key);
    expect(user).toMatch(/^user:psn_[0-9a-f]{16}$/);
    expect(user).not.toContain('alice');
    expect(watermarkPrincipal({ kind: 'user', id: 'alice@example.com' }, 'j'.repeat(32))).not.toBe(user);
  });
});
