// Suspicious-activity rules over each operation's audited outcome (what the audit record says:
// principal, denied fields, refusal codes, rows read) and over refused authentications. Counts
// are kept per principal in fixed windows, in Redis when configured (shared by every gateway
// process) or in memory. A rule that fires suspends the principal at once.
import type Redis from 'ioredis';
import type { Config } from '../config';
import type { SuspendInput } from './suspension.service';

/** The rules, by the name stored with a suspension and shown in its alert. */
export const SuspicionRule = {
  FORBIDDEN_BURST: 'FORBIDDEN_BURST',
  BULK_READ: 'BULK_READ',
  REVOKED_TOKEN_USE: 'REVOKED_TOKEN_USE',
  IP_ALLOW_LIST_VIOLATION: 'IP_ALLOW_LIST_VIOLATION',
} as const;
export type SuspicionRule = (typeof SuspicionRule)[keyof typeof SuspicionRule];

export interface SuspicionThresholds {
  forbiddenCount: number;
  forbiddenWindowSeconds: number;
  rowsCount: number;
  rowsWindowSeconds: number;
  revokedTokenUses: number;
  ipViolations: number;
}

export function thresholdsFromConfig(config: Config): SuspicionThresholds {
  return {
    forbiddenCount: config.SUSPICIOUS_FORBIDDEN_COUNT,
    forbiddenWindowSeconds: config.SUSPICIOUS_FORBIDDEN_WINDOW_SECONDS,
    rowsCount: config.SUSPICIOUS_ROWS_COUNT,
    rowsWindowSeconds: config.SUSPICIOUS_ROWS_WINDOW_SECONDS,
    revokedTokenUses: config.SUSPICIOUS_REVOKED_TOKEN_USES,
    ipViolations: config.SUSPICIOUS_IP_VIOLATIONS,
  };
}

/** Windowed counters: `add` returns the total of the key's current window. */
export interface CounterStore {
  add(key: string, amount: number, windowSeconds: number): Promise<number>;
  /** Clears the current window of each counter. */
  reset(counters: { key: string; windowSeconds: number }[]): Promise<void>;
}

export class MemoryCounterStore implements CounterStore {
  private readonly counters = new Map<string, { window: number; total: number }>();
  async add(key: string, amount: number, windowSeconds: number): Promise<number> {
    const window = Math.floor(Date.now() / 1000 / windowSeconds);
    const counter = this.counters.get(key);
    const total = (counter && counter.window === window ? counter.total : 0) + amount;
    this.counters.set(key, { window, total });
    return total;
  }
  async reset(counters: { key: string; windowSeconds: number }[]): Promise<void> {
    for (const { key } of counters) this.counters.delete(key);
  }
}

export class RedisCounterStore implements CounterStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'sellergate:sus:',
  ) {}
  async add(key: string, amount: number, windowSeconds: number): Promise<number> {
    const window = Math.floor(Date.now() / 1000 / windowSeconds);
    const full = `${this.prefix}${key}:${window}`;
    const [[error, total]] = (await this.redis.multi().incrby(full, amount).expire(full, windowSeconds * 2).exec()) ?? [[null, 0]];
    if (error) throw error;
    return Number(total);
  }
  async reset(counters: { key: string; windowSeconds: number }[]): Promise<void> {
    if (counters.length === 0) return;
    await this.redis.del(...counters.map(({ key, windowSeconds }) => `${this.prefix}${key}:${Math.floor(Date.now() / 1000 / windowSeconds)}`));
  }
}

/** What the rules look at for one operation (taken from its audit entry). */
export interface OperationFacts {
  requestId: string;
  principal: { id: string; kind: string; role: string } | null;
  /** Denied field coordinates and whole-operation refusals of the policy. */
  denied: boolean;
  rows: number;
}

/** Window of the token rules (revoked token used, IP allow-list violated). */
const TOKEN_WINDOW_SECONDS = 86_400;

export class SuspiciousActivityDetector {
  constructor(
    private readonly counters: CounterStore,
    private readonly thresholds: SuspicionThresholds,
    private readonly suspend: (input: SuspendInput) => Promise<unknown>,
  ) {}

  private windowsOf(principalId: string): { key: string; windowSeconds: number }[] {
    const t = this.thresholds;
    return [
      { key: `${SuspicionRule.FORBIDDEN_BURST}:${principalId}`, windowSeconds: t.forbiddenWindowSeconds },
      { key: `${SuspicionRule.BULK_READ}:${principalId}`, windowSeconds: t.rowsWindowSeconds },
      { key: `${SuspicionRule.REVOKED_TOKEN_USE}:${principalId}`, windowSeconds: TOKEN_WINDOW_SECONDS },
      { key: `${SuspicionRule.IP_ALLOW_LIST_VIOLATION}:${principalId}`, windowSeconds: TOKEN_WINDOW_SECONDS },
    ];
  }

  private async fire(rule: SuspicionRule, principal: { id: string; kind: string; role: string | null }, reason: string, requestId: string | null): Promise<void> {
    await this.suspend({ principalId: principal.id, principalKind: principal.kind, principalRole: principal.role, rule, reason, requestId });
    // A fresh start once reviewed: the counts that led to this suspension are spent.
    await this.counters.reset(this.windowsOf(principal.id));
  }

  /** Applies the per-operation rules; resolves once a suspension (if any) is recorded. */
  async observeOperation(facts: OperationFacts): Promise<SuspicionRule | null> {
    const principal = facts.principal;
    if (!principal) return null;
    const t = this.thresholds;
    if (facts.denied && t.forbiddenCount > 0) {
      const count = await this.counters.add(`${SuspicionRule.FORBIDDEN_BURST}:${principal.id}`, 1, t.forbiddenWindowSeconds);
      if (count >= t.forbiddenCount) {
        await this.fire(SuspicionRule.FORBIDDEN_BURST, principal, `${count} operations with denied fields or purposes within ${t.forbiddenWindowSeconds} s (threshold ${t.forbiddenCount}, SUSPICIOUS_FORBIDDEN_COUNT)`, facts.requestId);
        return SuspicionRule.FORBIDDEN_BURST;
      }
    }
    if (facts.rows > 0 && t.rowsCount > 0) {
      const rows = await this.counters.add(`${SuspicionRule.BULK_READ}:${principal.id}`, facts.rows, t.rowsWindowSeconds);
      if (rows >= t.rowsCount) {
        await this.fire(SuspicionRule.BULK_READ, principal, `${rows} rows read within ${t.rowsWindowSeconds} s (threshold ${t.rowsCount}, SUSPICIOUS_ROWS_COUNT)`, facts.requestId);
        return SuspicionRule.BULK_READ;
      }
    }
    return null;
  }

  /** A refused authentication with a known token: revoked, or from outside its IP allow-list. */
  async observeTokenRefusal(
    rule: typeof SuspicionRule.REVOKED_TOKEN_USE | typeof SuspicionRule.IP_ALLOW_LIST_VIOLATION,
    token: { id: string; role: string },
    requestId: string | null,
  ): Promise<boolean> {
    const threshold = rule === SuspicionRule.REVOKED_TOKEN_USE ? this.thresholds.revokedTokenUses : this.thresholds.ipViolations;
    if (threshold <= 0) return false;
    const count = await this.counters.add(`${rule}:${token.id}`, 1, TOKEN_WINDOW_SECONDS);
    if (count < threshold) return false;
    const what = rule === SuspicionRule.REVOKED_TOKEN_USE ? 'the token was used after its revocation' : "the token was used from an address outside its IP allow-list";
    await this.fire(rule, { id: token.id, kind: 'token', role: token.role }, `${what} (${count} time(s) within a day, threshold ${threshold})`, requestId);
    return true;
  }
}
