// The compliance console: sign in with an API token (or the single sign-on JWT), kept in this
// tab's sessionStorage only; every screen is GraphQL requests under that credential.
import { html, render } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { AccessReviewScreen, DeletionsScreen, ExportsScreen, HoldsScreen, RetentionScreen, SuspensionsScreen } from './admin';
import { ApiError, gql, loadSession, onWarnings, saveSession, type Session } from './api';
import { AuditScreen } from './audit';
import { ChartsScreen } from './charts';
import { PolicyScreen } from './policy';
import { LOG_PURPOSES } from './purposes';

const SCREENS: { id: string; title: string; view: (props: { session: Session }) => unknown }[] = [
  { id: 'audit', title: 'Audit log', view: AuditScreen },
  { id: 'activity', title: 'Activity', view: ChartsScreen },
  { id: 'policy', title: 'Policy', view: PolicyScreen },
  { id: 'access-review', title: 'Access review', view: AccessReviewScreen },
  { id: 'suspensions', title: 'Suspensions', view: SuspensionsScreen },
  { id: 'holds', title: 'Legal holds', view: HoldsScreen },
  { id: 'deletions', title: 'Deletion requests', view: DeletionsScreen },
  { id: 'retention', title: 'Retention runs', view: RetentionScreen },
  { id: 'exports', title: 'Exports & imports', view: ExportsScreen },
];

function currentScreen(): string {
  const id = location.hash.replace(/^#\/?/, '');
  return SCREENS.some((screen) => screen.id === id) ? id : 'audit';
}

function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [token, setToken] = useState('');
  const [purpose, setPurpose] = useState('AUDIT');
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const session = { token: token.trim(), purpose };
    try {
      // Any authenticated request tells whether the credential is valid (and the principal not suspended).
      await gql(session, 'query ConsoleSignIn { __typename }');
      saveSession(session);
      onSignedIn(session);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return html`<main id="main" class="sign-in">
    <h1>sellergate console</h1>
    <p>Sign in with an API token (<code>sellergate token create</code>) or your single sign-on JWT. It is kept in this browser tab only, and every screen asks the GraphQL API with it: you see what your role may see.</p>
    <form onSubmit=${submit}>
      <label for="token">API token or JWT</label>
      <input id="token" name="token" type="password" autocomplete="off" required value=${token} onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)} />
      <label for="purpose">Purpose for reading the audit and system logs</label>
      <select id="purpose" name="purpose" value=${purpose} onChange=${(e: Event) => setPurpose((e.target as HTMLSelectElement).value)}>
        ${LOG_PURPOSES.map((p) => html`<option value=${p}>${p}</option>`)}
      </select>
      ${error ? html`<p class="refusal" role="alert" id="sign-in-error">${error}</p>` : null}
      <button type="submit">Sign in</button>
    </form>
  </main>`;
}

function Console({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [screen, setScreen] = useState(currentScreen());
  const [warnings, setWarnings] = useState<string[]>([]);
  useEffect(() => {
    const follow = () => {
      setWarnings([]);
      setScreen(currentScreen());
    };
    window.addEventListener('hashchange', follow);
    onWarnings((messages) => setWarnings((previous) => [...new Set([...previous, ...messages])]));
    return () => window.removeEventListener('hashchange', follow);
  }, []);
  const active = SCREENS.find((s) => s.id === screen)!;
  useEffect(() => {
    document.title = `${active.title} · sellergate console`;
  }, [screen]);
  const View = active.view;
  return html`<div class="layout">
    <header>
      <a class="skip" href="#main">Skip to content</a>
      <span class="brand">sellergate console</span>
      <nav aria-label="Screens"><ul>${SCREENS.map((s) => html`<li><a href=${`#/${s.id}`} aria-current=${s.id === screen ? 'page' : undefined}>${s.title}</a></li>`)}</ul></nav>
      <span class="session">purpose ${session.purpose} <button type="button" class="secondary" onClick=${onSignOut}>Sign out</button></span>
    </header>
    <main id="main" tabindex="-1">
      ${warnings.length > 0 ? html`<div class="warning" role="status">Some fields were withheld by the access policy: ${warnings.join(' · ')}</div>` : null}
      <${View} key=${screen} session=${session} />
    </main>
  </div>`;
}

function App() {
  const [session, setSession] = useState<Session | null>(loadSession());
  if (!session) return html`<${SignIn} onSignedIn=${setSession} />`;
  return html`<${Console} session=${session} onSignOut=${() => {
    saveSession(null);
    setSession(null);
  }} />`;
}

render(html`<${App} />`, document.getElementById('app')!);
