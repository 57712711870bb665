// Audit log search (principal, outcome, coordinate, purpose, time range), a record's detail with
// its chain position, and the chain's verification status with the last checkpoint.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { gql, type Session } from './api';
import { PURPOSES } from './purposes';
import { Show, useLoad, when } from './ui';

const OUTCOMES = ['OK', 'PARTIAL', 'DENIED', 'INVALID', 'REFUSED', 'ERROR'];

interface AuditRecord {
  id: string;
  timestamp: string;
  requestId: string | null;
  principalId: string | null;
  principalKind: string | null;
  principalRole: string | null;
  purpose: string | null;
  /** Every purpose of an operation whose root fields declared their own (`@purpose`). */
  purposes: string[] | null;
  operationType: string | null;
  operationName: string | null;
  outcome: string;
  errorCodes: string[];
  fields: string[];
  categories: string[];
  masked: string[];
  denied: string[];
  rowsByCategory: { category: string; rows: number }[];
  variables: string | null;
  durationMs: number;
  policyVersion: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  clientName: string | null;
  hash: string;
  prevHash: string;
}

interface Page {
  totalCount: number;
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
  nodes: AuditRecord[];
}

const RECORDS = `query ConsoleAuditRecords($filter: AuditRecordFilter, $first: Int, $after: String) {
  auditRecords(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { endCursor hasNextPage }
    nodes { id timestamp requestId principalId principalKind principalRole purpose purposes operationType operationName outcome errorCodes fields categories masked denied
            rowsByCategory { category rows } variables durationMs policyVersion sourceIp userAgent clientName hash prevHash }
  }
}`;

const CHAIN = `query ConsoleAuditChain {
  auditChain { ok checked firstId lastId lastHash problem { id kind message } lastCheckpoint { headId createdAt kind signatureValid } }
}`;

interface Filter {
  principal: string;
  outcome: string;
  coordinate: string;
  purpose: string;
  from: string;
  to: string;
}

const EMPTY: Filter = { principal: '', outcome: '', coordinate: '', purpose: '', from: '', to: '' };

function variablesOf(filter: Filter) {
  const f: Record<string, string> = {};
  if (filter.principal.trim()) f.principal = filter.principal.trim();
  if (filter.outcome) f.outcome = filter.outcome;
  if (filter.coordinate.trim()) f.coordinate = filter.coordinate.trim();
  if (filter.purpose) f.purpose = filter.purpose;
  if (filter.from) f.from = new Date(filter.from).toISOString();
  if (filter.to) f.to = new Date(filter.to).toISOString();
  return { filter: f, first: 25 };
}

function ChainStatus({ session }: { session: Session }) {
  const chain = useLoad(() => gql<{ auditChain: { ok: boolean; checked: number; firstId: string | null; lastId: string | null; lastHash: string | null; problem: { id: string; kind: string; message: string } | null; lastCheckpoint: { headId: string; createdAt: string; kind: string; signatureValid: boolean | null } | null } }>(session, CHAIN, {}, { withPurpose: true }), 'chain');
  return html`<section class="panel" aria-labelledby="chain-heading">
    <h2 id="chain-heading">Chain verification</h2>
    <${Show} loaded=${chain}>${({ auditChain: c }: { auditChain: { ok: boolean; checked: number; firstId: string | null; lastId: string | null; problem: { id: string; kind: string; message: string } | null; lastCheckpoint: { headId: string; createdAt: string; kind: string; signatureValid: boolean | null } | null } }) => html`
      <p id="chain-status" class=${c.ok ? 'ok' : 'refusal'}>${c.ok ? 'Intact' : 'BROKEN'}: ${c.checked} records checked (${c.firstId ?? '—'} to ${c.lastId ?? '—'})</p>
      ${c.problem ? html`<p class="refusal">Record ${c.problem.id}: ${c.problem.kind}, ${c.problem.message}</p>` : null}
      <p>Last checkpoint: ${c.lastCheckpoint ? `record ${c.lastCheckpoint.headId}, ${when(c.lastCheckpoint.createdAt)} (${c.lastCheckpoint.kind}; signature ${c.lastCheckpoint.signatureValid === null ? 'not checked' : c.lastCheckpoint.signatureValid ? 'valid' : 'INVALID'})` : 'none yet'}</p>
    `}<//>
    <button type="button" onClick=${chain.reload}>Verify again</button>
  </section>`;
}

function Detail({ record, onClose }: { record: AuditRecord; onClose: () => void }) {
  const rows: [string, string][] = [
    ['Position in chain', `record ${record.id}`],
    ['Previous hash', record.prevHash],
    ['Hash', record.hash],
    ['Time', when(record.timestamp)],
    ['Request id', record.requestId ?? '—'],
    ['Principal', `${record.principalKind ?? '—'} ${record.principalId ?? ''} (role ${record.principalRole ?? '—'})`],
    ['Purpose', record.purpose ?? '—'],
    ...(record.purposes?.length ? [['Purposes of its root fields', record.purposes.join(', ')] as [string, string]] : []),
    ['Operation', `${record.operationType ?? ''} ${record.operationName ?? ''}`],
    ['Outcome', `${record.outcome}${record.errorCodes.length ? ` (${record.errorCodes.join(', ')})` : ''}`],
    ['Fields', record.fields.join(', ') || '—'],
    ['Categories', record.categories.join(', ') || '—'],
    ['Masked', record.masked.join(', ') || '—'],
    ['Denied', record.denied.join(', ') || '—'],
    ['Rows', record.rowsByCategory.map((r) => `${r.category}: ${r.rows}`).join(', ') || '—'],
    ['Variables', record.variables ?? '—'],
    ['Duration', `${record.durationMs} ms`],
    ['Policy version', record.policyVersion ?? '—'],
    ['Client', `${record.clientName ?? '—'}; ${record.userAgent ?? ''}; ${record.sourceIp ?? ''}`],
  ];
  return html`<section class="panel" aria-labelledby="detail-heading" id="audit-detail">
    <h2 id="detail-heading">Record ${record.id}</h2>
    <dl class="detail">${rows.map(([name, value]) => html`<dt>${name}</dt><dd>${value}</dd>`)}</dl>
    <button type="button" onClick=${onClose}>Close</button>
  </section>`;
}

export function AuditScreen({ session }: { session: Session }) {
  const [draft, setDraft] = useState<Filter>(EMPTY);
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const [selected, setSelected] = useState<AuditRecord | null>(null);
  const records = useLoad(() => gql<{ auditRecords: Page }>(session, RECORDS, variablesOf(filter), { withPurpose: true }), JSON.stringify(filter));
  // Older pages, appended below the first.
  const [older, setOlder] = useState<{ filter: string; pages: Page[]; error: string | null }>({ filter: '', pages: [], error: null });
  const pagesOf = older.filter === JSON.stringify(filter) ? older.pages : [];
  const loadMore = async (after: string) => {
    try {
      const data = await gql<{ auditRecords: Page }>(session, RECORDS, { ...variablesOf(filter), after }, { withPurpose: true });
      setOlder({ filter: JSON.stringify(filter), pages: [...pagesOf, data.auditRecords], error: null });
    } catch (error) {
      setOlder({ filter: JSON.stringify(filter), pages: pagesOf, error: (error as Error).message });
    }
  };
  const input = (name: keyof Filter, label: string, type = 'text') => html`<label>${label}<input type=${type} name=${name} value=${draft[name]} onInput=${(e: Event) => setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value })} /></label>`;
  const select = (name: keyof Filter, label: string, options: string[]) => html`<label>${label}<select name=${name} value=${draft[name]} onChange=${(e: Event) => setDraft({ ...draft, [name]: (e.target as HTMLSelectElement).value })}>
      <option value="">any</option>${options.map((o) => html`<option value=${o}>${o}</option>`)}
    </select></label>`;
  return html`<div>
    <h1>Audit log</h1>
    <${ChainStatus} session=${session} />
    <form class="filters" onSubmit=${(e: Event) => { e.preventDefault(); setSelected(null); setFilter(draft); }}>
      ${input('principal', 'Principal')} ${select('outcome', 'Outcome', OUTCOMES)} ${input('coordinate', 'Field coordinate')} ${select('purpose', 'Purpose', PURPOSES)}
      ${input('from', 'From', 'datetime-local')} ${input('to', 'To', 'datetime-local')}
      <button type="submit">Search</button>
    </form>
    ${selected ? html`<${Detail} record=${selected} onClose=${() => setSelected(null)} />` : null}
    <${Show} loaded=${records}>${({ auditRecords: first }: { auditRecords: Page }) => {
      const nodes = [first, ...pagesOf].flatMap((page) => page.nodes);
      const last = pagesOf.length > 0 ? pagesOf[pagesOf.length - 1] : first;
      return html`
      <p id="audit-count">${first.totalCount} records${first.totalCount > nodes.length ? `, newest ${nodes.length} shown` : ''}</p>
      <table class="grid" id="audit-records">
        <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Principal</th><th scope="col">Role</th><th scope="col">Purpose</th><th scope="col">Operation</th><th scope="col">Outcome</th><th scope="col">Masked / denied</th></tr></thead>
        <tbody>${nodes.map((r) => html`<tr>
          <td><button type="button" class="link" onClick=${() => setSelected(r)} aria-label=${`Show record ${r.id}`}>${r.id}</button></td>
          <td>${when(r.timestamp)}</td><td>${r.principalKind ?? ''} ${r.principalId ?? '—'}</td><td>${r.principalRole ?? '—'}</td><td>${r.purposes?.length ? r.purposes.join(', ') : (r.purpose ?? '—')}</td>
          <td>${r.operationName ?? r.operationType ?? '—'}</td><td class=${`outcome ${r.outcome.toLowerCase()}`}>${r.outcome}</td><td>${r.masked.length} / ${r.denied.length}</td>
        </tr>`)}</tbody>
      </table>
      ${older.error ? html`<p class="refusal" role="alert">${older.error}</p>` : null}
      ${last.pageInfo.hasNextPage && last.pageInfo.endCursor ? html`<button type="button" onClick=${() => loadMore(last.pageInfo.endCursor!)}>Show older records</button>` : null}`;
    }}<//>
  </div>`;
}
