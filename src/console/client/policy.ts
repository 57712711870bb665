// The policy in force as a matrix (role × purpose × category, one mark per sensitivity), "explain"
// for any cell (explainAccess), and the history of applied policies.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { gql, type Session } from './api';
import { Refusal, Show, useLoad, when } from './ui';
import { ApiError } from './api';

interface Cell {
  role: string;
  purpose: string;
  category: string;
  sensitivity: string;
  effect: string;
  mask: string | null;
  rule: string;
  coordinate: string | null;
}

interface Matrix {
  version: string;
  cells: Cell[];
  history: { version: string; appliedBy: string; appliedAt: string; source: string | null }[];
}

const MATRIX = `query ConsolePolicyMatrix { policyMatrix { version cells { role purpose category sensitivity effect mask rule coordinate } history { version appliedBy appliedAt source } } }`;
const EXPLAIN = `query ConsoleExplain($role: String!, $purpose: Purpose!, $coordinate: String!) {
  explainAccess(role: $role, purpose: $purpose, coordinate: $coordinate) { policyVersion role purpose coordinate category sensitivity effect mask minGroupSize rule source reason }
}`;

const SHORT: Record<string, string> = { PUBLIC: 'P', INTERNAL: 'I', CONFIDENTIAL: 'C', IDENTIFIER: 'ID', PERSONAL: 'PE' };
const MARK: Record<string, string> = { allow: '✓', mask: '◐', deny: '✕' };

interface Explanation {
  coordinate: string;
  effect: string;
  mask: string | null;
  rule: string;
  source: string;
  reason: string;
  policyVersion: string;
  role: string;
  purpose: string;
}

export function PolicyScreen({ session }: { session: Session }) {
  const matrix = useLoad(() => gql<{ policyMatrix: Matrix }>(session, MATRIX), 'matrix');
  const [explained, setExplained] = useState<Explanation | ApiError | null>(null);
  const explain = async (cell: Cell) => {
    if (!cell.coordinate) {
      setExplained(new ApiError(`No field of ${cell.category} is ${cell.sensitivity}: the decision (${cell.effect}, ${cell.rule}) is the policy's grant`, null));
      return;
    }
    try {
      const data = await gql<{ explainAccess: Explanation }>(session, EXPLAIN, { role: cell.role, purpose: cell.purpose, coordinate: cell.coordinate });
      setExplained(data.explainAccess);
    } catch (error) {
      setExplained(error as ApiError);
    }
  };
  return html`<div>
    <h1>Access policy</h1>
    <${Show} loaded=${matrix}>${({ policyMatrix }: { policyMatrix: Matrix }) => {
      const categories = [...new Set(policyMatrix.cells.map((c) => c.category))];
      const sensitivities = [...new Set(policyMatrix.cells.map((c) => c.sensitivity))];
      const rows = [...new Set(policyMatrix.cells.map((c) => `${c.role}\u0000${c.purpose}`))].map((key) => key.split('\u0000'));
      const cell = (role: string, purpose: string, category: string, sensitivity: string) => policyMatrix.cells.find((c) => c.role === role && c.purpose === purpose && c.category === category && c.sensitivity === sensitivity)!;
      return html`
        <p>Policy in force: <strong id="policy-version">${policyMatrix.version}</strong>. Marks per sensitivity (${sensitivities.map((s) => `${SHORT[s] ?? s} ${s.toLowerCase()}`).join(', ')}): ✓ allow, ◐ mask, ✕ deny. Select a mark to explain it.</p>
        ${explained ? explained instanceof ApiError ? html`<${Refusal} error=${explained} />` : html`<section class="panel" id="explanation" aria-live="polite">
          <h2>${explained.role} · ${explained.purpose} · ${explained.coordinate}</h2>
          <p><strong>${explained.effect}${explained.mask ? ` (${explained.mask})` : ''}</strong>: ${explained.reason}</p>
          <p class="muted">Rule ${explained.rule}; policy entry ${explained.source}; version ${explained.policyVersion}</p></section>` : null}
        <div class="scroll"><table class="grid matrix" id="policy-matrix">
          <thead><tr><th scope="col">Role</th><th scope="col">Purpose</th>${categories.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
          <tbody>${rows.map(([role, purpose]) => html`<tr>
            <th scope="row">${role}</th><td>${purpose}</td>
            ${categories.map((category) => html`<td class="marks">${sensitivities.map((sensitivity) => {
              const c = cell(role, purpose, category, sensitivity);
              return html`<button type="button" class=${`mark ${c.effect}`} title=${`${sensitivity}: ${c.effect}${c.mask ? ` (${c.mask})` : ''}`} onClick=${() => explain(c)}>${SHORT[sensitivity] ?? sensitivity} ${MARK[c.effect] ?? c.effect}<span class="vh"> explain ${role} ${purpose} ${category} ${sensitivity}: ${c.effect}</span></button>`;
            })}</td>`)}
          </tr>`)}</tbody>
        </table></div>
        <section class="panel"><h2>Applied policies</h2>
          ${policyMatrix.history.length === 0 ? html`<p>No policy was applied with <code>policy apply</code>: the shipped default (or POLICY_FILE) is in force.</p>` : html`<table class="grid"><thead><tr><th scope="col">Version</th><th scope="col">Applied</th><th scope="col">By</th><th scope="col">Source</th></tr></thead>
            <tbody>${policyMatrix.history.map((h) => html`<tr><td>${h.version}</td><td>${when(h.appliedAt)}</td><td>${h.appliedBy}</td><td>${h.source ?? '—'}</td></tr>`)}</tbody></table>`}
        </section>`;
    }}<//>
  </div>`;
}
