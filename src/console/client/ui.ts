// Small shared pieces of the console: loading a query, showing the API's refusal, dates.
import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when `key` changes (and on reload); keeps its data or the API's error. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: unknown) => live && setState({ data: null, error: error instanceof ApiError ? error : new ApiError(String(error), null), loading: false }),
    );
    return () => {
      live = false;
    };
  }, [key, round]);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { ...state, reload };
}

/** The API's refusal as the API worded it. */
export function Refusal({ error }: { error: ApiError }) {
  return html`<div class="refusal" role="alert"><strong>Refused${error.code ? ` (${error.code})` : ''}:</strong> ${error.message}</div>`;
}

/** Loading, refusal, or the content. */
export function Show<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => unknown }) {
  if (loaded.error) return html`<${Refusal} error=${loaded.error} />`;
  if (loaded.data === null) return html`<p class="muted" aria-live="polite">Loading…</p>`;
  return children(loaded.data);
}

export function when(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().replace('T', ' ').slice(0, 19);
}

export function day(value: string | null | undefined): string {
  return value ? when(value).slice(0, 10) : '—';
}

/** A result message after an action (the API's answer or refusal). */
export function ActionResult({ result }: { result: { ok: boolean; message: string } | null }) {
  if (!result) return null;
  return html`<p class=${result.ok ? 'ok' : 'refusal'} role=${result.ok ? 'status' : 'alert'}>${result.message}</p>`;
}

/** Runs an action, turning its outcome into a message. */
export async function attempt(run: () => Promise<string>): Promise<{ ok: boolean; message: string }> {
  try {
    return { ok: true, message: await run() };
  } catch (error) {
    return { ok: false, message: error instanceof ApiError ? `Refused${error.code ? ` (${error.code})` : ''}: ${error.message}` : String(error) };
  }
}

export function download(name: string, content: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
