// Charts over time (chart.js): operations, denials and masks by role and purpose; rows read per
// principal; import runs and their outcomes; suspensions. Each chart loads on its own, so a
// refused query (the role lacks the grant) shows the API's message in that chart's place.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from 'chart.js';
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { gql, type Session } from './api';
import { Show, useLoad } from './ui';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);
Chart.defaults.animation = false;

const COLORS = ['#0b4f9c', '#c45500', '#2e7d32', '#8e24aa', '#00838f', '#ad1457', '#5d4037', '#546e7a', '#f9a825', '#283593'];

function ChartCanvas({ config, label }: { config: ChartConfiguration; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const chart = new Chart(canvas.current!, config);
    return () => chart.destroy();
  }, [JSON.stringify(config.data)]);
  return html`<div class="chart"><canvas ref=${canvas} role="img" aria-label=${label}></canvas></div>`;
}

interface Activity {
  start: string;
  role: string | null;
  purpose: string | null;
  outcome: string;
  operations: number;
  masked: number;
  denied: number;
  rows: number;
}

function series(rows: Activity[], keyOf: (row: Activity) => string, valueOf: (row: Activity) => number) {
  const labels = [...new Set(rows.map((row) => row.start.slice(0, 10)))].sort();
  const keys = [...new Set(rows.map(keyOf))].sort();
  const datasets = keys.map((key, index) => ({
    label: key,
    data: labels.map((label) => rows.filter((row) => keyOf(row) === key && row.start.slice(0, 10) === label).reduce((sum, row) => sum + valueOf(row), 0)),
    backgroundColor: COLORS[index % COLORS.length],
    borderColor: COLORS[index % COLORS.length],
  }));
  return { labels, datasets };
}

function stacked(title: string): ChartConfiguration['options'] {
  return { responsive: true, maintainAspectRatio: false, plugins: { title: { display: false, text: title }, legend: { position: 'bottom' } }, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } };
}

const ACTIVITY = `query ConsoleActivity($from: DateTimeISO, $to: DateTimeISO) {
  auditActivity(from: $from, to: $to, bucket: DAY) { start role purpose outcome operations masked denied rows }
}`;
const ROWS = `query ConsoleRowsByPrincipal($from: DateTimeISO, $to: DateTimeISO) { rowsByPrincipal(from: $from, to: $to, first: 15) { principalId role operations rows } }`;
const IMPORTS = `query ConsoleImportChart { importRuns(first: 100) { nodes { startedAt status } } }`;
const SUSPENSIONS = `query ConsoleSuspensionChart { suspensions(all: true) { suspendedAt rule } }`;

function ActivityCharts({ session, days }: { session: Session; days: number }) {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  const loaded = useLoad(() => gql<{ auditActivity: Activity[] }>(session, ACTIVITY, { from: from.toISOString(), to: to.toISOString() }, { withPurpose: true }), `activity-${days}`);
  return html`<${Show} loaded=${loaded}>${({ auditActivity }: { auditActivity: Activity[] }) => html`
    <section class="panel"><h2>Operations by role</h2>
      <${ChartCanvas} label="Operations per day by role" config=${{ type: 'bar', data: series(auditActivity, (r) => r.role ?? '(none)', (r) => r.operations), options: stacked('Operations by role') }} /></section>
    <section class="panel"><h2>Operations by purpose</h2>
      <${ChartCanvas} label="Operations per day by purpose" config=${{ type: 'bar', data: series(auditActivity, (r) => r.purpose ?? '(none)', (r) => r.operations), options: stacked('Operations by purpose') }} /></section>
    <section class="panel"><h2>Denials and masks by role</h2>
      <${ChartCanvas} label="Denied and masked fields per day by role" config=${{ type: 'bar', data: {
        labels: [...new Set(auditActivity.map((r) => r.role ?? '(none)'))].sort(),
        datasets: [
          { label: 'denied fields', data: [...new Set(auditActivity.map((r) => r.role ?? '(none)'))].sort().map((role) => auditActivity.filter((r) => (r.role ?? '(none)') === role).reduce((s, r) => s + r.denied, 0)), backgroundColor: '#a4001d' },
          { label: 'masked fields', data: [...new Set(auditActivity.map((r) => r.role ?? '(none)'))].sort().map((role) => auditActivity.filter((r) => (r.role ?? '(none)') === role).reduce((s, r) => s + r.masked, 0)), backgroundColor: '#c45500' },
          { label: 'refused operations', data: [...new Set(auditActivity.map((r) => r.role ?? '(none)'))].sort().map((role) => auditActivity.filter((r) => (r.role ?? '(none)') === role && ['refused', 'denied'].includes(r.outcome.toLowerCase())).reduce((s, r) => s + r.operations, 0)), backgroundColor: '#546e7a' },
        ] }, options: { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } } }} /></section>
    <section class="panel"><h2>Denials and masks by purpose</h2>
      <${ChartCanvas} label="Denied and masked fields per day by purpose" config=${{ type: 'line', data: series(auditActivity, (r) => r.purpose ?? '(none)', (r) => r.denied + r.masked), options: { responsive: true, maintainAspectRatio: false, scales: { y: { beginAtZero: true } } } }} /></section>
  `}<//>`;
}

function RowsChart({ session, days }: { session: Session; days: number }) {
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  const loaded = useLoad(() => gql<{ rowsByPrincipal: { principalId: string | null; role: string | null; rows: number; operations: number }[] }>(session, ROWS, { from: from.toISOString(), to: to.toISOString() }, { withPurpose: true }), `rows-${days}`);
  return html`<section class="panel"><h2>Rows read per principal</h2><${Show} loaded=${loaded}>${({ rowsByPrincipal }: { rowsByPrincipal: { principalId: string | null; role: string | null; rows: number }[] }) => html`
    <${ChartCanvas} label="Rows returned per principal" config=${{ type: 'bar', data: { labels: rowsByPrincipal.map((p) => `${p.principalId ?? '—'} (${p.role ?? '—'})`), datasets: [{ label: 'rows', data: rowsByPrincipal.map((p) => p.rows), backgroundColor: '#0b4f9c' }] }, options: { indexAxis: 'y', responsive: true, maintainAspectRatio: false } }} />`}<//></section>`;
}

function perDay<T>(items: T[], dateOf: (item: T) => string, keyOf: (item: T) => string) {
  const labels = [...new Set(items.map((item) => dateOf(item).slice(0, 10)))].sort();
  const keys = [...new Set(items.map(keyOf))].sort();
  return {
    labels,
    datasets: keys.map((key, index) => ({ label: key, data: labels.map((label) => items.filter((item) => keyOf(item) === key && dateOf(item).slice(0, 10) === label).length), backgroundColor: COLORS[index % COLORS.length] })),
  };
}

function ImportsChart({ session }: { session: Session }) {
  const loaded = useLoad(() => gql<{ importRuns: { nodes: { startedAt: string; status: string }[] } }>(session, IMPORTS, {}, { withPurpose: true }), 'imports');
  return html`<section class="panel"><h2>Import runs and their outcomes</h2><${Show} loaded=${loaded}>${({ importRuns }: { importRuns: { nodes: { startedAt: string; status: string }[] } }) => html`
    <${ChartCanvas} label="Import runs per day by status" config=${{ type: 'bar', data: perDay(importRuns.nodes, (n) => n.startedAt, (n) => n.status), options: stacked('Import runs') }} />`}<//></section>`;
}

function SuspensionsChart({ session }: { session: Session }) {
  const loaded = useLoad(() => gql<{ suspensions: { suspendedAt: string; rule: string }[] }>(session, SUSPENSIONS), 'suspensions');
  return html`<section class="panel"><h2>Suspensions</h2><${Show} loaded=${loaded}>${({ suspensions }: { suspensions: { suspendedAt: string; rule: string }[] }) =>
    suspensions.length === 0
      ? html`<p>No suspensions.</p>`
      : html`<${ChartCanvas} label="Suspensions per day by rule" config=${{ type: 'bar', data: perDay(suspensions, (s) => s.suspendedAt, (s) => s.rule), options: stacked('Suspensions') }} />`}<//></section>`;
}

export function ChartsScreen({ session }: { session: Session }) {
  const [days, setDays] = useState(30);
  return html`<div>
    <h1>Activity</h1>
    <label class="inline">Period
      <select value=${String(days)} onChange=${(e: Event) => setDays(Number((e.target as HTMLSelectElement).value))}>
        <option value="7">last 7 days</option><option value="30">last 30 days</option><option value="90">last 90 days</option>
      </select></label>
    <div class="charts">
      <${ActivityCharts} session=${session} days=${days} />
      <${RowsChart} session=${session} days=${days} />
      <${ImportsChart} session=${session} />
      <${SuspensionsChart} session=${session} />
    </div>
  </div>`;
}
