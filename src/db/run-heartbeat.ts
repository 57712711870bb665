// Heartbeats of long runs (retention runs, connector sync runs): while a run works, its process
// refreshes the run's `heartbeat_at`; a RUNNING run whose heartbeat is older than the stale
// threshold belongs to a process that died (killed, crashed, its host lost) and is taken over or
// closed by whoever finds it next.

/** Whether a run last seen alive at `heartbeatAt` is stale at `now`: its process is gone. */
export function heartbeatIsStale(heartbeatAt: Date, now: Date, staleAfterMs: number): boolean {
  return now.getTime() - heartbeatAt.getTime() >= staleAfterMs;
}

/** The time before which a heartbeat is stale at `now`. */
export function staleBefore(now: Date, staleAfterMs: number): Date {
  return new Date(now.getTime() - staleAfterMs);
}

export interface Heartbeat {
  /** Stops the beats and waits for one in flight. */
  stop(): Promise<void>;
}

/**
 * Calls `beat` every `intervalMs` until stopped, one at a time (a beat still running when the next
 * is due skips it). A failed beat is handed to `onError` and the next one tried: a run is not
 * stopped because its heartbeat could not be written once. The timer does not keep the process up.
 */
export function startHeartbeat(beat: () => Promise<unknown>, intervalMs: number, onError: (error: unknown) => void): Heartbeat {
  let stopped = false;
  let inFlight: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (stopped || inFlight) return;
    inFlight = beat().then(
      () => undefined,
      (error: unknown) => onError(error),
    ).finally(() => {
      inFlight = null;
    });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
