// The HTTP client of the Amazon connectors: Selling Partner API, Amazon Ads API, Login with Amazon
// and pre-signed document downloads. Every call waits for a token of its (operation, selling
// partner) bucket (bottleneck's reservoir: `burst` tokens, refilled at `rate` per second), slows the
// bucket down to what Amazon answers in `x-amzn-RateLimit-Limit`, and retries 429, 5xx and dropped
// connections with exponential backoff and full jitter (exponential-backoff), waiting at least
// `Retry-After`. Every attempt is reported to `onCall` (the API call log): operation, path, status,
// latency, never a body, token or query value.
import Bottleneck from 'bottleneck';
import { backOff } from 'exponential-backoff';
import { rateOf, type OperationRate } from './operation-rates';

export interface AmazonEndpoints {
  /** Selling Partner API host, e.g. https://sellingpartnerapi-na.amazon.com */
  spApi: string;
  /** Amazon Ads API host, e.g. https://advertising-api.amazon.com */
  adsApi: string;
  /** Login with Amazon host, e.g. https://api.amazon.com */
  lwa: string;
}

export interface ApiCallReport {
  operation: string;
  partner: string;
  method: string;
  /** Path only (no query, no host); a pre-signed URL is reported as `document`. */
  path: string;
  status: number;
  latencyMs: number;
  /** Amazon's error code (QuotaExceeded, invalid_grant, ...) or a network error name. */
  errorCode: string | null;
  time: Date;
}

export interface AmazonRequest {
  api: 'sp' | 'ads' | 'lwa' | 'url';
  operation: string;
  /** Selling partner (seller account) the call is for: its own buckets. */
  partner: string;
  method: 'GET' | 'POST';
  /** Path under the API host, or the whole URL for `api: 'url'`. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: string;
  headers?: Record<string, string>;
}

export interface AmazonResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  json<T = unknown>(): T;
}

/** An answer Amazon gave that is not a success (after retries, for the retryable ones). */
export class AmazonApiError extends Error {
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly code: string,
    message: string,
    /** Ads API 425: the id of the report this request duplicates. */
    readonly duplicateOf?: string,
  ) {
    super(message);
    this.name = 'AmazonApiError';
  }
}

class Retryable extends Error {
  constructor(
    override readonly cause: AmazonApiError,
    readonly waitMs: number,
  ) {
    super(cause.message);
  }
}

export interface AmazonClientOptions {
  endpoints: AmazonEndpoints;
  onCall?: (call: ApiCallReport) => void;
  /** Attempts per call (first one included). Default 6. */
  maxAttempts?: number;
  /** First backoff delay (ms); doubles each attempt, full jitter. Default 1000. */
  startingDelayMs?: number;
  maxDelayMs?: number;
  /** Longest Retry-After honored (ms); longer ones fail the call. Default 120000. */
  maxRetryAfterMs?: number;
  /** Per-request timeout (ms). Default 120000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

function errorCode(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown }[]; error?: unknown; code?: unknown };
    const code = parsed.errors?.[0]?.code ?? parsed.error ?? parsed.code;
    return typeof code === 'string' || typeof code === 'number' ? String(code).slice(0, 40) : null;
  } catch {
    const xml = /<Code>([^<]{1,40})<\/Code>/.exec(body.toString('utf8'));
    return xml ? xml[1] : null;
  }
}

/** `Retry-After` in seconds or as an HTTP date, in ms; null when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export class AmazonClient {
  private readonly buckets = new Map<string, { limiter: Bottleneck; rate: number; burst: number }>();
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: AmazonClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  private static limiter(rate: number, burst: number, reservoir: number): Bottleneck {
    return new Bottleneck({
      reservoir,
      reservoirIncreaseAmount: 1,
      reservoirIncreaseInterval: Math.ceil(1000 / rate),
      reservoirIncreaseMaximum: burst,
      maxConcurrent: burst,
    });
  }

  /** The token bucket of one operation for one selling partner. */
  private bucket(operation: string, partner: string): { limiter: Bottleneck; rate: number; burst: number } {
    const key = `${partner}\u0000${operation}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const { rate, burst }: OperationRate = rateOf(operation);
      bucket = { limiter: AmazonClient.limiter(rate, burst, burst), rate, burst };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  /** The rate a bucket runs at now (requests per second). */
  currentRate(operation: string, partner: string): number {
    return this.bucket(operation, partner).rate;
  }

  /**
   * Amazon says the rate: the bucket follows it. A 429 means Amazon's bucket is empty: ours is
   * emptied too. (The bucket is replaced rather than changed with `updateSettings`, which in
   * bottleneck 2.19.5 stops the refill of a running reservoir.)
   */
  private async follow(operation: string, partner: string, header: string | null, throttled: boolean): Promise<void> {
    const bucket = this.bucket(operation, partner);
    const said = header === null ? NaN : Number(header);
    const rate = Number.isFinite(said) && said > 0 ? said : bucket.rate;
    if (rate === bucket.rate && !throttled) return;
    const old = bucket.limiter;
    const reservoir = throttled ? 0 : Math.min(bucket.burst, (await old.currentReservoir()) ?? bucket.burst);
    bucket.limiter = AmazonClient.limiter(rate, bucket.burst, reservoir);
    bucket.rate = rate;
    void old.stop({ dropWaitingJobs: false }).catch(() => undefined);
  }

  private url(request: AmazonRequest): string {
    if (request.api === 'url') return request.path;
    const base = request.api === 'sp' ? this.options.endpoints.spApi : request.api === 'ads' ? this.options.endpoints.adsApi : this.options.endpoints.lwa;
    const url = new URL(request.path, base.endsWith('/') ? base : `${base}/`);
    // A base with a path (a proxy, the test stand-in) keeps it.
    url.pathname = `${new URL(base).pathname.replace(/\/$/, '')}${request.path}`;
    for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
    return url.toString();
  }

  private async attempt(request: AmazonRequest): Promise<AmazonResponse> {
    const bucket = this.bucket(request.operation, request.partner);
    const started = Date.now();
    const report = (status: number, code: string | null) =>
      this.options.onCall?.({
        operation: request.operation,
        partner: request.partner,
        method: request.method,
        path: request.api === 'url' ? 'document' : request.path.split('?')[0].slice(0, 200),
        status,
        latencyMs: Date.now() - started,
        errorCode: code,
        time: new Date(started),
      });
    let response: Response;
    let body: Buffer;
    try {
      ({ response, body } = await bucket.limiter.schedule(async () => {
        const res = await this.fetchImpl(this.url(request), {
          method: request.method,
          headers: { 'user-agent': 'sellergate-connectors/1.0 (Language=TypeScript)', ...(request.headers ?? {}) },
          body: request.body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000),
        });
        return { response: res, body: Buffer.from(await res.arrayBuffer()) };
      }));
    } catch (error) {
      // Connection refused, reset or dropped, or a timeout: worth another attempt.
      const name = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name ?? 'NetworkError';
      report(0, String(name).slice(0, 40));
      throw new Retryable(new AmazonApiError(request.operation, 0, String(name).slice(0, 40), `${request.operation}: the connection failed (${name})`), 0);
    }
    const code = response.ok ? null : errorCode(body);
    report(response.status, code);
    await this.follow(request.operation, request.partner, response.headers.get('x-amzn-ratelimit-limit'), response.status === 429);
    if (response.ok) {
      return { status: response.status, headers: response.headers, body, json: <T>() => JSON.parse(body.toString('utf8')) as T };
    }
    const duplicateOf = response.status === 425 ? /duplicate of\s*:?\s*([\w-]+)/i.exec(body.toString('utf8'))?.[1] : undefined;
    const error = new AmazonApiError(request.operation, response.status, code ?? `HTTP_${response.status}`, `${request.operation}: Amazon answered ${response.status}${code ? ` ${code}` : ''}`, duplicateOf);
    if (response.status === 429 || response.status >= 500) {
      const wait = retryAfterMs(response.headers.get('retry-after'));
      if (wait !== null && wait > (this.options.maxRetryAfterMs ?? 120_000)) throw error;
      throw new Retryable(error, wait ?? 0);
    }
    throw error;
  }

  /** One call, retried on 429, 5xx and dropped connections; other answers throw AmazonApiError. */
  async call(request: AmazonRequest): Promise<AmazonResponse> {
    try {
      return await backOff(() => this.attempt(request), {
        numOfAttempts: this.options.maxAttempts ?? 6,
        startingDelay: this.options.startingDelayMs ?? 1000,
        maxDelay: this.options.maxDelayMs ?? 60_000,
        timeMultiple: 2,
        jitter: 'full',
        retry: async (error: unknown) => {
          if (!(error instanceof Retryable)) return false;
          if (error.waitMs > 0) await new Promise((resolve) => setTimeout(resolve, error.waitMs));
          return true;
        },
      });
    } catch (error) {
      throw error instanceof Retryable ? error.cause : error;
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.buckets.values()].map((bucket) => bucket.limiter.stop({ dropWaitingJobs: true }).catch(() => undefined)));
    this.buckets.clear();
  }
}
