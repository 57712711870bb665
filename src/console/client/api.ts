// Every request of the console is a GraphQL request to /graphql with the signed-in principal's
// credential (and the purpose it chose for reading logs): governed and audited like any client.
export interface Session {
  token: string;
  purpose: string;
}

const TOKEN_KEY = 'sellergate.console.token';
const PURPOSE_KEY = 'sellergate.console.purpose';

export function loadSession(): Session | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { token, purpose: sessionStorage.getItem(PURPOSE_KEY) ?? 'AUDIT' } : null;
}

export function saveSession(session: Session | null): void {
  if (!session) {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(PURPOSE_KEY);
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, session.token);
  sessionStorage.setItem(PURPOSE_KEY, session.purpose);
}

/** The API's refusal (its message and code), shown as it is. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

let warn: (messages: string[]) => void = () => {};

/** Where messages about withheld fields go (the shell shows them above the screen). */
export function onWarnings(listener: (messages: string[]) => void): void {
  warn = listener;
}

export interface RequestOptions {
  /** Reads of the audit log and system logs declare the session's purpose; administration does not. */
  withPurpose?: boolean;
}

export async function gql<T>(session: Session, query: string, variables: Record<string, unknown> = {}, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${session.token}`, 'apollographql-client-name': 'sellergate-console' };
  if (options.withPurpose) headers['x-purpose'] = session.purpose;
  let response: Response;
  try {
    response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiError('The gateway cannot be reached', null);
  }
  let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`The gateway answered HTTP ${response.status}`, null);
  }
  const errors = body.errors ?? [];
  const data = body.data;
  const anyData = data !== null && data !== undefined && Object.values(data as object).some((value) => value !== null);
  if (errors.length > 0 && !anyData) throw new ApiError(errors[0].message, errors[0].extensions?.code ?? null);
  if (!data) throw new ApiError(`The gateway answered HTTP ${response.status} without data`, null);
  // Some fields withheld (denied by the policy): the rest is shown, with the API's messages.
  if (errors.length > 0) warn([...new Set(errors.map((error) => error.message))]);
  return data;
}
