// One autocannon run against one server and query, summarised.
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Seconds. */
  duration: number;
  connections: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
  /** Non-2xx responses, connection errors, timeouts and bodies that are not a clean `data` answer. */
  failures: number;
}

// A served answer: `data` and no `errors` (the gateway answers HTTP 200 with errors too).
function cleanAnswer(body: string): boolean {
  return body.startsWith('{"data":') && !body.includes('"errors":');
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body,
    duration: options.duration,
    connections: options.connections,
    timeout: 30,
    verifyBody: cleanAnswer,
  });
  return {
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts + result.mismatches,
  };
}
