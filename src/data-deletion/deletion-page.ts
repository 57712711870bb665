// The public Data Deletion page, rendered on the server with preact (every value is escaped by
// the renderer, never concatenated into HTML): what is kept and for how long (from the retention
// rules in force), how a request is handled, the contact, the request form and the status page.
// Plain HTML forms: it works without JavaScript.
import type { RetentionRule, RetentionRules } from '../retention/retention-rules';
import { html, renderMarkup, type Markup } from './html';

export interface PageSettings {
  contactEmail: string;
  dueDays: number;
  amazonDueHours: number;
}

/** What a target holds, in the words of the data policy (falls back to the target's name). */
const TARGET_LABELS: Record<string, string> = {
  orders: 'Orders (order ids, items, fulfilment; the buyer ship postal code)',
  order_returns: 'Returns (return details; buyer comments on returns)',
  shipments: 'Shipments',
  settlements: 'Settlement reports',
  refunds: 'Refunds',
  fee_estimates: 'Fee reports',
  api_call_logs: 'API call logs (request ids, timestamps, response status)',
  audit_records: 'Audit log of data access',
};

const ACTION_LABELS: Record<string, string> = {
  DELETE: 'deleted',
  ANONYMIZE: 'personal data removed',
  AGGREGATE: 'kept only as daily sales totals',
  ARCHIVE: 'moved to a restricted archive',
};

const CLOCK_LABELS: Record<string, string> = {
  DELIVERY: 'after delivery',
  PURCHASE: 'after purchase',
  RETURN: 'after the return',
  SHIPMENT: 'after shipment',
  POSTING: 'after posting',
  CREATION: 'after it was recorded',
};

function period(after: string): string {
  const match = /^(\d+)(d|w|mo|y)$/.exec(after);
  if (!match) return after;
  const n = Number(match[1]);
  const unit = { d: 'day', w: 'week', mo: 'month', y: 'year' }[match[2] as 'd' | 'w' | 'mo' | 'y'];
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

const STYLE = `
:root { color-scheme: light; }
body { font: 16px/1.5 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "DejaVu Sans", sans-serif; color: #1a1a1a; background: #fff; margin: 0; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
a { color: #0b4f9c; }
a:focus, input:focus, textarea:focus, button:focus { outline: 3px solid #c45500; outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; color: #333; padding-bottom: .25rem; }
th, td { border: 1px solid #767676; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
label { display: block; font-weight: 600; margin-top: .9rem; }
.hint { display: block; font-weight: 400; color: #4a4a4a; font-size: .9rem; }
input, textarea { font: inherit; width: 100%; max-width: 36rem; padding: .4rem; border: 1px solid #595959; border-radius: 3px; box-sizing: border-box; }
button { font: inherit; margin-top: 1rem; padding: .5rem 1.2rem; background: #0b4f9c; color: #fff; border: 0; border-radius: 3px; cursor: pointer; }
.error { color: #a4001d; font-weight: 600; }
.notice { border: 2px solid #0b4f9c; padding: .75rem 1rem; border-radius: 4px; }
.reference { font: 600 1.3rem/1.4 ui-monospace, monospace; letter-spacing: .05em; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
`;

function layout(title: string, body: Markup): string {
  const page = html`<html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      <title>${title}</title>
      <style dangerouslySetInnerHTML=${{ __html: STYLE }}></style>
    </head>
    <body>
      <a class="skip" href="#main">Skip to content</a>
      <main id="main">${body}</main>
    </body>
  </html>`;
  return `<!doctype html>\n${renderMarkup(page)}`;
}

function retentionTable(rules: RetentionRules): Markup {
  const enabled = rules.rules.filter((rule) => rule.enabled);
  const row = (rule: RetentionRule) => html`<tr>
    <td>${TARGET_LABELS[rule.target] ?? rule.target}</td>
    <td>${ACTION_LABELS[rule.action] ?? rule.action}${rule.fields ? ` (${rule.fields.join(', ')})` : ''}</td>
    <td>${period(rule.after)} ${CLOCK_LABELS[rule.clock] ?? ''}</td>
    <td>${rule.reason}</td>
  </tr>`;
  return html`<table>
    <caption>Retention rules in force (version ${rules.version})</caption>
    <thead><tr><th scope="col">Data</th><th scope="col">What happens</th><th scope="col">When</th><th scope="col">Why</th></tr></thead>
    <tbody>${enabled.map(row)}</tbody>
  </table>`;
}

export interface FormValues {
  name?: string;
  email?: string;
  account?: string;
  orders?: string;
  details?: string;
}

export type FieldErrors = Partial<Record<keyof FormValues, string>>;

export const FIELD_LIMITS = { name: 90, email: 100, account: 32, orders: 1000, details: 1000, reference: 64 } as const;

function field(id: keyof FormValues, label: string, hint: string, values: FormValues, errors: FieldErrors, options: { type?: string; required?: boolean; multiline?: boolean; autocomplete?: string }) {
  const error = errors[id];
  const describedBy = [`${id}-hint`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  const common = {
    id,
    name: id,
    maxlength: FIELD_LIMITS[id],
    required: options.required ?? false,
    'aria-describedby': describedBy,
    'aria-invalid': error ? 'true' : undefined,
    autocomplete: options.autocomplete,
  };
  return html`<div>
    <label for=${id}>${label}${options.required ? '' : ' (optional)'} <span class="hint" id=${`${id}-hint`}>${hint}</span></label>
    ${error ? html`<p class="error" id=${`${id}-error`}>${error}</p>` : null}
    ${options.multiline ? html`<textarea ...${common} rows="4">${values[id] ?? ''}</textarea>` : html`<input ...${common} type=${options.type ?? 'text'} value=${values[id] ?? ''} />`}
  </div>`;
}

function requestForm(values: FormValues, errors: FieldErrors): Markup {
  const summary = Object.keys(errors).length > 0;
  return html`<section aria-labelledby="request-heading">
    <h2 id="request-heading">Request deletion</h2>
    ${summary ? html`<p class="error" role="alert">The request was not filed: correct the fields marked below.</p>` : null}
    <form method="post" action="/data-deletion" novalidate=${summary}>
      ${field('name', 'Your name', 'So we know whom we answer.', values, errors, { required: true, autocomplete: 'name' })}
      ${field('email', 'Email address', 'We write to this address to verify the request and to answer it.', values, errors, { type: 'email', required: true, autocomplete: 'email' })}
      ${field('account', 'Seller account ID', 'Deletes every record of this seller account (or limits the orders below to it).', values, errors, {})}
      ${field('orders', 'Amazon order IDs', 'One or more, separated by spaces, commas or lines, e.g. 112-8095165-5463447. Name a seller account, order IDs, or both.', values, errors, { multiline: true })}
      ${field('details', 'Details', 'Anything that helps us find the data or verify the request. Do not include other personal information.', values, errors, { multiline: true })}
      <button type="submit">Send deletion request</button>
    </form>
  </section>`;
}

function statusForm(value = '', error?: string): Markup {
  return html`<section aria-labelledby="status-heading">
    <h2 id="status-heading">Check the status of a request</h2>
    <form method="post" action="/data-deletion/status">
      <label for="reference">Reference number <span class="hint" id="reference-hint">The number shown when you filed the request, e.g. DR-ABCDE-….</span></label>
      ${error ? html`<p class="error" id="reference-error" role="alert">${error}</p>` : null}
      <input id="reference" name="reference" type="text" required maxlength=${FIELD_LIMITS.reference} value=${value} autocomplete="off" spellcheck="false" aria-describedby=${error ? 'reference-hint reference-error' : 'reference-hint'} />
      <button type="submit">Check status</button>
    </form>
  </section>`;
}

/** The page itself, with the form (filled again and annotated after a refused submission). */
export function deletionPage(settings: PageSettings, rules: RetentionRules, values: FormValues = {}, errors: FieldErrors = {}): string {
  const mail = `mailto:${settings.contactEmail}`;
  return layout(
    'Data Deletion',
    html`<h1>Data Deletion</h1>
      <p>
        We process Amazon seller data (catalog, advertising, orders, inventory and finance, and the logs of our own systems) only for our authorized
        business purposes. This page says what we keep and for how long, and how to ask us to delete data.
      </p>
      <section aria-labelledby="kept-heading">
        <h2 id="kept-heading">What we keep and for how long</h2>
        <p>The table is generated from the retention rules our systems apply; it changes when they change.</p>
        ${retentionTable(rules)}
      </section>
      <section aria-labelledby="handling-heading">
        <h2 id="handling-heading">How a deletion request is handled</h2>
        <ol>
          <li>You file a request with the form below or by email. You receive a reference number: keep it to check the status.</li>
          <li>Our compliance team verifies the request (who asks, and which data it concerns) before anything is deleted. Until then its status is${' '}<strong>received</strong>.</li>
          <li>
            Once approved, the data in scope is deleted, with every record derived from it, and a signed deletion certificate is issued. Data that a legal
            obligation requires us to keep (a legal hold) is deleted as soon as that obligation ends.
          </li>
          <li>
            We complete a request within <strong>${settings.dueDays} days</strong> of receiving it, and within${' '}<strong>${settings.amazonDueHours} hours</strong>${' '}when Amazon asks us to delete data.
          </li>
        </ol>
      </section>
      <section aria-labelledby="contact-heading">
        <h2 id="contact-heading">Contact</h2>
        <p>
          For questions about seller data, advertising data, API authorization, retention or deletion, write to${' '}<a href=${mail}>${settings.contactEmail}</a>.
        </p>
      </section>
      ${requestForm(values, errors)} ${statusForm()}`,
  );
}

/** After a request was filed: its reference, shown once. */
export function receivedPage(reference: string, settings: PageSettings): string {
  return layout(
    'Deletion request received',
    html`<h1>Deletion request received</h1>
      <div class="notice" role="status">
        <p>Your reference number:</p>
        <p class="reference" id="reference-number">${reference}</p>
        <p>Keep it: it is the only way to check the status of your request, and we cannot show it again.</p>
      </div>
      <p>
        Our compliance team will verify the request and write to the address you gave. We complete it within ${settings.dueDays} days. Questions:${' '}<a href=${`mailto:${settings.contactEmail}`}>${settings.contactEmail}</a>.
      </p>
      ${statusForm(reference)}
      <p><a href="/data-deletion">Back to the Data Deletion page</a></p>`,
  );
}

export type PublicStatus = 'RECEIVED' | 'APPROVED' | 'REJECTED' | 'EXECUTED';

const STATUS_TEXT: Record<PublicStatus, string> = {
  RECEIVED: 'Received: awaiting verification by our compliance team.',
  APPROVED: 'Verified and approved: the deletion is being carried out.',
  REJECTED: 'Closed without deletion: we have written to you with the reason.',
  EXECUTED: 'Completed: the data was deleted.',
};

/** The status of one request: its state and dates, nothing else. */
export function statusPage(status: { state: PublicStatus; receivedAt: Date; dueAt: Date }, settings: PageSettings): string {
  const day = (date: Date) => date.toISOString().slice(0, 10);
  return layout(
    'Deletion request status',
    html`<h1>Deletion request status</h1>
      <dl>
        <dt>Status</dt>
        <dd id="request-status">${STATUS_TEXT[status.state]}</dd>
        <dt>Received</dt>
        <dd>${day(status.receivedAt)}</dd>
        <dt>To be completed by</dt>
        <dd>${day(status.dueAt)}</dd>
      </dl>
      <p>Questions: <a href=${`mailto:${settings.contactEmail}`}>${settings.contactEmail}</a>.</p>
      <p><a href="/data-deletion">Back to the Data Deletion page</a></p>`,
  );
}

/** The one answer to any reference that names no request (unknown, malformed or guessed alike). */
export function notFoundPage(): string {
  return layout(
    'Deletion request not found',
    html`<h1>Deletion request not found</h1>
      <p>No request has this reference number. Check it and try again.</p>
      ${statusForm('', 'No request has this reference number.')}
      <p><a href="/data-deletion">Back to the Data Deletion page</a></p>`,
  );
}

/** A refusal (too many requests, body too large, error) as a page. */
export function refusalPage(status: number, message: string): string {
  const title = status === 429 ? 'Too many requests' : status === 413 ? 'Request too large' : status >= 500 ? 'Service unavailable' : 'Request refused';
  return layout(title, html`<h1>${title}</h1><p role="alert">${message}</p><p><a href="/data-deletion">Back to the Data Deletion page</a></p>`);
}
