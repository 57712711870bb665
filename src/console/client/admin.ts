// Administrative screens: access review with sign-off, suspensions with reinstatement, legal
// holds, the deletion-request queue, retention runs with their evidence, exports and imports.
// Each action is the API's mutation; its answer or refusal is shown as the API worded it.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { gql, type Session } from './api';
import { ActionResult, attempt, day, download, Show, useLoad, when } from './ui';

type Result = { ok: boolean; message: string } | null;

// ---- Access review ------------------------------------------------------------------------

interface Review {
  generatedAt: string;
  unusedDays: number;
  flagged: number;
  entries: { principalId: string; kind: string; name: string; role: string; purposes: string[]; unusedPurposes: string[]; status: string; flagged: boolean; lastUsedAt: string | null; expiresAt: string | null; partner: boolean }[];
  lastSignOff: { reviewer: string; signedAt: string; note: string | null; principals: number; flagged: number } | null;
}

const REVIEW = `query ConsoleAccessReview { accessReview { generatedAt unusedDays flagged
  entries { principalId kind name role purposes unusedPurposes status flagged lastUsedAt expiresAt partner }
  lastSignOff { reviewer signedAt note principals flagged } } }`;
const SIGN_OFF = `mutation ConsoleSignOff($note: String) { signOffAccessReview(note: $note) { reviewer signedAt principals flagged } }`;

export function AccessReviewScreen({ session }: { session: Session }) {
  const review = useLoad(() => gql<{ accessReview: Review }>(session, REVIEW), 'review');
  const [note, setNote] = useState('');
  const [result, setResult] = useState<Result>(null);
  const signOff = async (e: Event) => {
    e.preventDefault();
    setResult(
      await attempt(async () => {
        const data = await gql<{ signOffAccessReview: { reviewer: string; signedAt: string; principals: number; flagged: number } }>(session, SIGN_OFF, { note: note || null });
        review.reload();
        return `Signed off by ${data.signOffAccessReview.reviewer} at ${when(data.signOffAccessReview.signedAt)}: ${data.signOffAccessReview.principals} principals, ${data.signOffAccessReview.flagged} flagged`;
      }),
    );
  };
  return html`<div><h1>Access review</h1>
    <${Show} loaded=${review}>${({ accessReview: r }: { accessReview: Review }) => html`
      <p>Generated ${when(r.generatedAt)}; grants unused for ${r.unusedDays} days are flagged: <strong>${r.flagged}</strong> flagged.
        Last sign-off: ${r.lastSignOff ? `${r.lastSignOff.reviewer}, ${when(r.lastSignOff.signedAt)}${r.lastSignOff.note ? ` (“${r.lastSignOff.note}”)` : ''}` : 'never'}.</p>
      <form class="inline-form" onSubmit=${signOff}>
        <label>Sign-off note<input name="note" value=${note} maxlength="500" onInput=${(e: Event) => setNote((e.target as HTMLInputElement).value)} /></label>
        <button type="submit">Sign off this review</button>
      </form>
      <${ActionResult} result=${result} />
      <table class="grid" id="access-review"><thead><tr><th scope="col">Principal</th><th scope="col">Kind</th><th scope="col">Role</th><th scope="col">Purposes</th><th scope="col">Unused</th><th scope="col">Last used</th><th scope="col">Status</th></tr></thead>
        <tbody>${r.entries.map((e) => html`<tr class=${e.flagged ? 'flagged' : ''}><td>${e.name} <span class="muted">${e.principalId}</span></td><td>${e.kind}${e.partner ? ' (partner)' : ''}</td><td>${e.role}</td>
          <td>${e.purposes.join(', ')}</td><td>${e.unusedPurposes.join(', ') || '—'}</td><td>${when(e.lastUsedAt)}</td><td>${e.status}${e.flagged ? ' ⚑' : ''}</td></tr>`)}</tbody></table>`}<//>
  </div>`;
}

// ---- Suspensions ---------------------------------------------------------------------------

interface Suspension {
  id: string;
  principalId: string;
  principalKind: string;
  principalRole: string | null;
  rule: string;
  reason: string;
  suspendedAt: string;
  requestId: string | null;
  reinstatedAt: string | null;
  reinstatedBy: string | null;
  reviewNote: string | null;
}

const SUSPENSIONS = `query ConsoleSuspensions { suspensions(all: true) { id principalId principalKind principalRole rule reason suspendedAt requestId reinstatedAt reinstatedBy reviewNote } }`;
const REINSTATE = `mutation ConsoleReinstate($principalId: ID!, $note: String!) { reinstatePrincipal(principalId: $principalId, note: $note) { principalId reinstatedAt } }`;

export function SuspensionsScreen({ session }: { session: Session }) {
  const list = useLoad(() => gql<{ suspensions: Suspension[] }>(session, SUSPENSIONS), 'suspensions');
  const [notes, setNotes] = useState<Record<string, string>>({});
  const [result, setResult] = useState<Result>(null);
  const reinstate = async (s: Suspension) => {
    setResult(
      await attempt(async () => {
        await gql(session, REINSTATE, { principalId: s.principalId, note: notes[s.id] ?? '' });
        list.reload();
        return `${s.principalId} reinstated`;
      }),
    );
  };
  return html`<div><h1>Suspensions</h1><${ActionResult} result=${result} />
    <${Show} loaded=${list}>${({ suspensions }: { suspensions: Suspension[] }) =>
      suspensions.length === 0
        ? html`<p id="suspensions-empty">No principal has been suspended.</p>`
        : html`<table class="grid" id="suspensions"><thead><tr><th scope="col">Principal</th><th scope="col">Rule</th><th scope="col">Reason</th><th scope="col">Suspended</th><th scope="col">Review</th></tr></thead>
      <tbody>${suspensions.map((s) => html`<tr><td>${s.principalKind} ${s.principalId} <span class="muted">${s.principalRole ?? ''}</span></td><td>${s.rule}</td><td>${s.reason}</td><td>${when(s.suspendedAt)}</td>
        <td>${s.reinstatedAt ? `Reinstated ${when(s.reinstatedAt)} by ${s.reinstatedBy ?? '—'}: ${s.reviewNote ?? ''}` : html`<label class="sr"><span class="vh">Review note for ${s.principalId}</span><input value=${notes[s.id] ?? ''} onInput=${(e: Event) => setNotes({ ...notes, [s.id]: (e.target as HTMLInputElement).value })} placeholder="What the review found" /></label>
          <button type="button" onClick=${() => reinstate(s)}>Reinstate</button>`}</td></tr>`)}</tbody></table>`}<//>
  </div>`;
}

// ---- Legal holds ---------------------------------------------------------------------------

interface Hold {
  id: string;
  reason: string;
  sellerAccountId: string | null;
  amazonOrderIds: string[];
  settlementIds: string[];
  fromDate: string | null;
  toDate: string | null;
  endsAt: string | null;
  placedAt: string;
  placedBy: string;
  active: boolean;
  releasedAt: string | null;
  releasedBy: string | null;
  releaseReason: string | null;
}

const HOLDS = `query ConsoleHolds { legalHolds(includeInactive: true) { id reason sellerAccountId amazonOrderIds settlementIds fromDate toDate endsAt placedAt placedBy active releasedAt releasedBy releaseReason } }`;
const PLACE = `mutation ConsolePlaceHold($input: PlaceLegalHoldInput!) { placeLegalHold(input: $input) { id } }`;
const RELEASE = `mutation ConsoleRelease($id: ID!, $reason: String!) { releaseLegalHold(id: $id, reason: $reason) { id active } }`;

export function HoldsScreen({ session }: { session: Session }) {
  const list = useLoad(() => gql<{ legalHolds: Hold[] }>(session, HOLDS), 'holds');
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [result, setResult] = useState<Result>(null);
  const release = async (hold: Hold) =>
    setResult(
      await attempt(async () => {
        await gql(session, RELEASE, { id: hold.id, reason: reasons[hold.id] ?? '' });
        list.reload();
        return `Hold ${hold.id} released`;
      }),
    );
  const [draft, setDraft] = useState({ reason: '', account: '', orders: '', endsAt: '' });
  const place = async (e: Event) => {
    e.preventDefault();
    setResult(
      await attempt(async () => {
        const orders = draft.orders.split(/[\s,;]+/).filter(Boolean);
        const input = { reason: draft.reason, sellerAccountId: draft.account.trim() || null, amazonOrderIds: orders.length ? orders : null, endsAt: draft.endsAt ? new Date(draft.endsAt).toISOString() : null };
        const data = await gql<{ placeLegalHold: { id: string } }>(session, PLACE, { input });
        setDraft({ reason: '', account: '', orders: '', endsAt: '' });
        list.reload();
        return `Hold ${data.placeLegalHold.id} placed`;
      }),
    );
  };
  const field = (name: keyof typeof draft, label: string, type = 'text') =>
    html`<label>${label}<input name=${name} type=${type} value=${draft[name]} onInput=${(e: Event) => setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value })} /></label>`;
  return html`<div><h1>Legal holds</h1>
    <form class="filters" aria-label="Place a legal hold" onSubmit=${place}>
      ${field('reason', 'Reason')} ${field('account', 'Seller account')} ${field('orders', 'Amazon order ids')} ${field('endsAt', 'Ends', 'datetime-local')}
      <button type="submit">Place hold</button>
    </form>
    <${ActionResult} result=${result} />
    <${Show} loaded=${list}>${({ legalHolds }: { legalHolds: Hold[] }) =>
      legalHolds.length === 0
        ? html`<p id="holds-empty">No legal hold has been placed (<code>sellergate retention hold</code> or the placeLegalHold mutation).</p>`
        : html`<table class="grid" id="holds"><thead><tr><th scope="col">Hold</th><th scope="col">Covers</th><th scope="col">Reason</th><th scope="col">Placed</th><th scope="col">Ends</th><th scope="col">State</th></tr></thead>
      <tbody>${legalHolds.map((h) => html`<tr><td>${h.id}</td>
        <td>${[h.sellerAccountId ? `account ${h.sellerAccountId}` : '', h.amazonOrderIds.length ? `${h.amazonOrderIds.length} orders` : '', h.settlementIds.length ? `${h.settlementIds.length} settlements` : '', h.fromDate || h.toDate ? `${day(h.fromDate)} to ${day(h.toDate)}` : ''].filter(Boolean).join('; ')}</td>
        <td>${h.reason}</td><td>${when(h.placedAt)} by ${h.placedBy}</td><td>${when(h.endsAt)}</td>
        <td>${h.active ? html`active <label class="sr"><span class="vh">Release reason for ${h.id}</span><input value=${reasons[h.id] ?? ''} placeholder="Why it ends" onInput=${(e: Event) => setReasons({ ...reasons, [h.id]: (e.target as HTMLInputElement).value })} /></label>
          <button type="button" onClick=${() => release(h)}>Release</button>` : `released ${when(h.releasedAt)} by ${h.releasedBy ?? '—'}: ${h.releaseReason ?? ''}`}</td></tr>`)}</tbody></table>`}<//>
  </div>`;
}

// ---- Deletion requests -----------------------------------------------------------------------

interface DeletionRequest {
  id: string;
  state: string;
  source: string;
  scopeAccountId: string | null;
  scopeOrderIds: string[];
  scopeDigests: string[];
  reason: string;
  requester: string;
  receivedBy: string;
  receivedAt: string;
  dueAt: string;
  overdue: boolean;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionReason: string | null;
  executedBy: string | null;
  executedAt: string | null;
}

const REQUESTS = `query ConsoleDeletionRequests { deletionRequests { id state source scopeAccountId scopeOrderIds scopeDigests reason requester receivedBy receivedAt dueAt overdue decidedBy decidedAt decisionReason executedBy executedAt } }`;
const DECIDE = `mutation ConsoleDecide($id: ID!, $decision: DeletionDecision!, $reason: String!) { decideDeletionRequest(id: $id, decision: $decision, reason: $reason) { id state } }`;
const EXECUTE = `mutation ConsoleExecute($id: ID!) { executeDeletionRequest(id: $id) { id totalRows } }`;
const CERTIFICATE = `query ConsoleCertificate($requestId: ID!) { deletionCertificate(requestId: $requestId) { id requestId issuedAt executedBy scopeKind scopeDigests counts { table rows } totalRows signature } }`;

const VERIFY = `query ConsoleVerifyCertificate($certificate: String!) { verifyDeletionCertificate(certificate: $certificate) { valid problems requestId totalRows } }`;

const STATE_TEXT: Record<string, string> = { RECEIVED: 'received, to verify', APPROVED: 'approved', REJECTED: 'rejected', EXECUTED: 'executed' };

export function DeletionsScreen({ session }: { session: Session }) {
  const list = useLoad(() => gql<{ deletionRequests: DeletionRequest[] }>(session, REQUESTS), 'deletions');
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [result, setResult] = useState<Result>(null);
  const act = async (run: () => Promise<string>) => {
    setResult(await attempt(run));
    list.reload();
  };
  const decide = (r: DeletionRequest, decision: 'APPROVED' | 'REJECTED') =>
    act(async () => {
      await gql(session, DECIDE, { id: r.id, decision, reason: reasons[r.id] ?? '' });
      return `Request ${r.id} ${decision.toLowerCase()}`;
    });
  const execute = (r: DeletionRequest) =>
    act(async () => {
      const data = await gql<{ executeDeletionRequest: { totalRows: number } }>(session, EXECUTE, { id: r.id });
      return `Request ${r.id} executed: ${data.executeDeletionRequest.totalRows} rows deleted; certificate issued`;
    });
  const certificate = (r: DeletionRequest) =>
    act(async () => {
      const data = await gql<{ deletionCertificate: unknown }>(session, CERTIFICATE, { requestId: r.id });
      if (!data.deletionCertificate) return `Request ${r.id} has no certificate`;
      download(`deletion-certificate-${r.id}.json`, `${JSON.stringify(data.deletionCertificate, null, 2)}\n`);
      return `Certificate of ${r.id} downloaded as deletion-certificate-${r.id}.json`;
    });
  // The issued certificate checked by the gateway: signature, contents, and that it is the one issued for this request.
  const verify = (r: DeletionRequest) =>
    act(async () => {
      const data = await gql<{ deletionCertificate: unknown }>(session, CERTIFICATE, { requestId: r.id });
      if (!data.deletionCertificate) return `Request ${r.id} has no certificate`;
      const checked = await gql<{ verifyDeletionCertificate: { valid: boolean; problems: string[]; totalRows: number | null } }>(session, VERIFY, { certificate: JSON.stringify(data.deletionCertificate) });
      const outcome = checked.verifyDeletionCertificate;
      if (!outcome.valid) throw new Error(`Certificate of ${r.id} is NOT valid: ${outcome.problems.join('; ')}`);
      return `Certificate of ${r.id} verified: signature and contents valid, ${outcome.totalRows ?? 0} rows`;
    });
  return html`<div><h1>Deletion requests</h1><${ActionResult} result=${result} />
    <${Show} loaded=${list}>${({ deletionRequests }: { deletionRequests: DeletionRequest[] }) =>
      deletionRequests.length === 0
        ? html`<p>No deletion request.</p>`
        : html`<table class="grid" id="deletion-requests"><thead><tr><th scope="col">Request</th><th scope="col">State</th><th scope="col">Source</th><th scope="col">Requester</th><th scope="col">Scope</th><th scope="col">Received / due</th><th scope="col">Actions</th></tr></thead>
      <tbody>${deletionRequests.map((r) => html`<tr class=${r.overdue ? 'flagged' : ''} data-request=${r.id}>
        <td>${r.id}<div class="muted">${r.reason}</div></td>
        <td class=${`state ${r.state}`}>${STATE_TEXT[r.state] ?? r.state}${r.overdue ? ' — OVERDUE' : ''}${r.decisionReason ? html`<div class="muted">${r.decidedBy}: ${r.decisionReason}</div>` : null}</td>
        <td>${r.source}</td><td>${r.requester}</td>
        <td>${r.state === 'EXECUTED' ? `${r.scopeDigests.length} digests` : [r.scopeAccountId ? `account ${r.scopeAccountId}` : '', r.scopeOrderIds.length ? `orders ${r.scopeOrderIds.join(', ')}` : ''].filter(Boolean).join('; ')}</td>
        <td>${day(r.receivedAt)} / ${day(r.dueAt)}</td>
        <td>${r.state === 'RECEIVED' ? html`<label class="sr"><span class="vh">Decision reason for ${r.id}</span><input value=${reasons[r.id] ?? ''} placeholder="Verification and reason" onInput=${(e: Event) => setReasons({ ...reasons, [r.id]: (e.target as HTMLInputElement).value })} /></label>
            <button type="button" onClick=${() => decide(r, 'APPROVED')}>Approve</button> <button type="button" class="secondary" onClick=${() => decide(r, 'REJECTED')}>Reject</button>` : null}
          ${r.state === 'APPROVED' ? html`<button type="button" onClick=${() => execute(r)}>Execute</button>` : null}
          ${r.state === 'EXECUTED' ? html`<button type="button" onClick=${() => certificate(r)}>Download certificate</button> <button type="button" class="secondary" onClick=${() => verify(r)}>Verify certificate</button>` : null}</td>
      </tr>`)}</tbody></table>`}<//>
  </div>`;
}

// ---- Retention runs ----------------------------------------------------------------------------

interface RetentionRun {
  id: string;
  status: string;
  trigger: string;
  actor: string;
  startedAt: string;
  finishedAt: string | null;
  rulesVersion: string;
  error: string | null;
  rules: { ruleId: string; action: string; target: string; period: string; cutoff: string; affected: number; held: number; status: string; counts: { table: string; rows: number }[] }[];
}

const RUNS = `query ConsoleRetentionRuns { retentionRuns(first: 20) { totalCount nodes { id status trigger actor startedAt finishedAt rulesVersion error
  rules { ruleId action target period cutoff affected held status counts { table rows } } } } }`;

export function RetentionScreen({ session }: { session: Session }) {
  const runs = useLoad(() => gql<{ retentionRuns: { totalCount: number; nodes: RetentionRun[] } }>(session, RUNS, {}, { withPurpose: true }), 'runs');
  return html`<div><h1>Retention runs</h1>
    <${Show} loaded=${runs}>${({ retentionRuns }: { retentionRuns: { totalCount: number; nodes: RetentionRun[] } }) =>
      retentionRuns.nodes.length === 0
        ? html`<p id="runs-empty">No retention run yet (the schedule RETENTION_SCHEDULE runs them, or <code>sellergate retention run</code>).</p>`
        : retentionRuns.nodes.map((run) => html`<section class="panel"><h2>Run ${run.id}: ${run.status}</h2>
          <p>${run.trigger} by ${run.actor}, ${when(run.startedAt)} to ${when(run.finishedAt)}; rules ${run.rulesVersion}${run.error ? `; error: ${run.error}` : ''}</p>
          <table class="grid"><thead><tr><th scope="col">Rule</th><th scope="col">Action</th><th scope="col">Cutoff</th><th scope="col">Affected</th><th scope="col">Held</th><th scope="col">Evidence (rows per table)</th></tr></thead>
          <tbody>${run.rules.map((rule) => html`<tr><td>${rule.ruleId}</td><td>${rule.action} ${rule.target} after ${rule.period}</td><td>${when(rule.cutoff)}</td><td>${rule.affected}</td><td>${rule.held}</td>
            <td>${rule.counts.map((c) => `${c.table}: ${c.rows}`).join(', ') || '—'}</td></tr>`)}</tbody></table></section>`)}<//>
  </div>`;
}

// ---- Exports and imports -------------------------------------------------------------------------

interface DataExport {
  id: string;
  format: string;
  operationName: string | null;
  purpose: string | null;
  rowCount: number;
  byteSize: number;
  createdAt: string;
  expiresAt: string;
  status: string;
  policyVersion: string;
}

interface ImportRun {
  id: string;
  reportType: string;
  source: string;
  status: string;
  sellerAccountId: string;
  marketplaceId: string | null;
  rowsRead: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsRejected: number;
  startedAt: string;
  importedBy: string;
  error: string | null;
}

const EXPORTS = `query ConsoleExports { myExports { id format operationName purpose rowCount byteSize createdAt expiresAt status policyVersion } }`;
const IMPORT_RUNS = `query ConsoleImportRuns { importRuns(first: 50) { totalCount nodes { id reportType source status sellerAccountId marketplaceId rowsRead rowsInserted rowsUpdated rowsRejected startedAt importedBy error } } }`;

export function ExportsScreen({ session }: { session: Session }) {
  const exports = useLoad(() => gql<{ myExports: DataExport[] }>(session, EXPORTS), 'exports');
  const imports = useLoad(() => gql<{ importRuns: { totalCount: number; nodes: ImportRun[] } }>(session, IMPORT_RUNS, {}, { withPurpose: true }), 'imports');
  return html`<div><h1>Exports and imports</h1>
    <section class="panel"><h2>Exports held for download (metadata)</h2>
      <${Show} loaded=${exports}>${({ myExports }: { myExports: DataExport[] }) =>
        myExports.length === 0
          ? html`<p id="exports-empty">No export is held for this principal.</p>`
          : html`<table class="grid" id="exports"><thead><tr><th scope="col">Export</th><th scope="col">Operation</th><th scope="col">Purpose</th><th scope="col">Rows</th><th scope="col">Size</th><th scope="col">Created</th><th scope="col">Expires</th></tr></thead>
        <tbody>${myExports.map((x) => html`<tr><td>${x.id} (${x.format})</td><td>${x.operationName ?? '—'}</td><td>${x.purpose ?? '—'}</td><td>${x.rowCount}</td><td>${x.byteSize} B</td><td>${when(x.createdAt)}</td><td>${when(x.expiresAt)}</td></tr>`)}</tbody></table>`}<//>
    </section>
    <section class="panel"><h2>Import runs</h2>
      <${Show} loaded=${imports}>${({ importRuns }: { importRuns: { totalCount: number; nodes: ImportRun[] } }) => html`<p>${importRuns.totalCount} runs${importRuns.totalCount > importRuns.nodes.length ? `, newest ${importRuns.nodes.length} shown` : ''}</p>
        <table class="grid" id="import-runs"><thead><tr><th scope="col">Started</th><th scope="col">Report</th><th scope="col">Source</th><th scope="col">Account</th><th scope="col">Status</th><th scope="col">Read / inserted / updated / rejected</th><th scope="col">By</th></tr></thead>
        <tbody>${importRuns.nodes.map((r) => html`<tr><td>${when(r.startedAt)}</td><td>${r.reportType}</td><td>${r.source}</td><td>${r.sellerAccountId} ${r.marketplaceId ?? ''}</td><td class=${`state ${r.status}`}>${r.status}${r.error ? html`<div class="muted">${r.error}</div>` : null}</td>
          <td>${r.rowsRead} / ${r.rowsInserted} / ${r.rowsUpdated} / ${r.rowsRejected}</td><td>${r.importedBy}</td></tr>`)}</tbody></table>`}<//>
    </section>
  </div>`;
}
