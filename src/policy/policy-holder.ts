// The access policy in force in this process, swapped at runtime. One holder per process; every
// part that reads the policy asks it (or the request's context, bound to one version when the
// request starts). It follows the newest applied revision (policy-store.ts): at once on a
// 'policy-changed' event of the change feed, and at a safety-net poll of the newest revision id.
//
// A swap is prepared first (e.g. the governed schema rebuilt for the new policy) and then
// committed everywhere at once; a preparation that fails keeps the old policy in force.
import type { DataSource } from 'typeorm';
import type { ChangeFeed } from '../server/change-feed';
import type { Policy } from './policy';
import { latestRevision, latestRevisionId, originOfRevision, policyOfRevision, type PolicyInForce, type PolicyOrigin } from './policy-store';

/** What reads the policy in force (the holder; a fixed policy in tests and tools). */
export interface PolicySource {
  current(): Policy;
}

/** Prepares for a new policy; the returned function commits it (called with every other commit). */
export type PolicyPreparer = (policy: Policy) => Promise<(() => void) | void> | (() => void) | void;

export interface PolicySwap {
  from: string;
  to: string;
  origin: PolicyOrigin;
  /** Milliseconds from noticing the change to the commit (reading, validating, preparing). */
  preparedInMs: number;
}

export interface PolicyHolderOptions {
  /** Without a database the holder keeps its baseline (tests, tools). */
  dataSource?: DataSource;
  /** The policy when no revision was applied: POLICY_FILE or the shipped default. */
  baseline: PolicyInForce;
  /** Safety-net poll of the newest revision id (ms; 0: no poll). */
  pollMs?: number;
  onSwap?: (swap: PolicySwap) => void;
  onError?: (error: unknown, what: string) => void;
}

export function fixedPolicy(policy: Policy): PolicySource {
  return { current: () => policy };
}

export function asPolicySource(policy: Policy | PolicySource): PolicySource {
  return 'current' in policy && typeof policy.current === 'function' ? policy : fixedPolicy(policy as Policy);
}

export class PolicyHolder implements PolicySource {
  private policy: Policy;
  private policyOrigin: PolicyOrigin;
  private revisionId: string | null = null;
  /** A revision this code could not put in force (reported once, not at every poll). */
  private failedRevisionId: string | null = null;
  private readonly preparers = new Set<PolicyPreparer>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly options: PolicyHolderOptions) {
    this.policy = options.baseline.policy;
    this.policyOrigin = options.baseline.origin;
  }

  /** Loads the newest applied revision (an invalid one stops start-up) and starts the poll. */
  async start(): Promise<this> {
    if (this.options.dataSource) {
      const revision = await latestRevision(this.options.dataSource.manager);
      if (revision) {
        this.policy = policyOfRevision(revision);
        this.policyOrigin = originOfRevision(revision);
        this.revisionId = String(revision.id);
      }
      const pollMs = this.options.pollMs ?? 0;
      if (pollMs > 0) {
        this.timer = setInterval(() => void this.refresh(), pollMs);
        this.timer.unref();
      }
    }
    return this;
  }

  current(): Policy {
    return this.policy;
  }

  origin(): PolicyOrigin {
    return this.policyOrigin;
  }

  /** Runs `preparer` on every future policy before it is committed; returns the unregister function. */
  prepare(preparer: PolicyPreparer): () => void {
    this.preparers.add(preparer);
    return () => this.preparers.delete(preparer);
  }

  /** Refreshes at once on every 'policy-changed' event (and after a feed reconnect). */
  follow(feed: ChangeFeed): void {
    this.unsubscribe?.();
    this.unsubscribe = feed.subscribe('policy-changed', () => this.refresh());
  }

  /**
   * Switches to the newest applied revision if it is not the one in force. Calls made while a
   * refresh runs are folded into one more refresh after it. Never rejects (errors are reported).
   */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.checkForNewRevision();
        } catch (error) {
          this.options.onError?.(error, 'policy refresh');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async checkForNewRevision(): Promise<void> {
    const dataSource = this.options.dataSource;
    if (!dataSource?.isInitialized || this.stopped) return;
    const newest = await latestRevisionId(dataSource.manager);
    if (newest === null || newest === this.revisionId || newest === this.failedRevisionId) return;
    const started = performance.now();
    const revision = await latestRevision(dataSource.manager);
    if (!revision || String(revision.id) === this.revisionId) return;
    const commits: (() => void)[] = [];
    let policy: Policy;
    try {
      policy = policyOfRevision(revision);
      if (policy.version !== this.policy.version) {
        for (const preparer of this.preparers) {
          const commit = await preparer(policy);
          if (commit) commits.push(commit);
        }
      }
    } catch (error) {
      this.failedRevisionId = String(revision.id);
      throw error;
    }
    if (this.stopped) return;
    const from = this.policy.version;
    this.policy = policy;
    this.policyOrigin = originOfRevision(revision);
    this.revisionId = String(revision.id);
    for (const commit of commits) commit();
    this.options.onSwap?.({ from, to: policy.version, origin: this.policyOrigin, preparedInMs: performance.now() - started });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.running;
  }
}
