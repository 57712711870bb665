// A change that is kept only if its request's audit record is committed (DESIGN.md, "Invariants
// every entry point keeps": fail-closed). `admittedRoute` commits it after the record, or abandons
// it when the record cannot be written.
//
// On a PostgreSQL server the change is written in a transaction held open on its own pooled
// connection while the audit writer commits the record on another one; abandoning it is a
// ROLLBACK, so an unrecorded change is never visible to anyone. Held transactions are limited to
// one fewer than the pool's connections, so the audit writer always finds one (otherwise requests
// holding every connection would wait for a record that could never be written).
//
// The embedded database (PGlite) is one session behind a single pooled connection (src/db): a
// transaction held there would keep the audit writer, which needs that connection, from ever
// writing the record (and any statement of a second connection would run inside it). There the
// change is committed at once and, when the record cannot be written, undone by a compensating
// transaction (`undo`) in the same request, before the answer.
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { PendingChange } from './http-admission';
import { isEmbeddedUrl } from '../db/embedded';

export interface HeldChange<T> extends PendingChange {
  result: T;
}

class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}

  async take(): Promise<void> {
    if (this.used < this.size) {
      this.used += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used -= 1;
  }
}

const slotsByDataSource = new WeakMap<DataSource, Slots>();

/** Connections of the primary pool (1 on the embedded database). */
function poolSize(dataSource: DataSource): number {
  const pool = (dataSource.driver as unknown as { master?: { options?: { max?: number } } }).master;
  return pool?.options?.max ?? 1;
}

/** Whether a transaction can stay open while the audit writer commits on another connection. */
export function canHoldAcrossAudit(dataSource: DataSource): boolean {
  const url = (dataSource.options as { url?: string }).url;
  if (url && isEmbeddedUrl(url)) return false;
  return dataSource.options.type === 'postgres' && poolSize(dataSource) >= 2;
}

function slotsOf(dataSource: DataSource): Slots {
  let slots = slotsByDataSource.get(dataSource);
  if (!slots) {
    slots = new Slots(poolSize(dataSource) - 1);
    slotsByDataSource.set(dataSource, slots);
  }
  return slots;
}

/**
 * Runs `work` so that its writes are kept only when the returned change is committed: in a held
 * transaction (a PostgreSQL server), else committed at once and undone by `undo` when abandoned.
 * A `work` that throws leaves nothing behind.
 */
export async function holdChange<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  undo: (manager: EntityManager, result: T) => Promise<void>,
): Promise<HeldChange<T>> {
  if (!canHoldAcrossAudit(dataSource)) {
    const result = await dataSource.transaction(work);
    let settled = false;
    return {
      result,
      commit: async () => {
        settled = true;
      },
      abandon: async () => {
        if (settled) return;
        settled = true;
        await dataSource.transaction((manager) => undo(manager, result));
      },
    };
  }
  const slots = slotsOf(dataSource);
  await slots.take();
  let runner: QueryRunner | null = null;
  let open = true;
  const end = async (how: 'commit' | 'rollback') => {
    if (!open) return;
    open = false;
    try {
      if (runner?.isTransactionActive) await (how === 'commit' ? runner.commitTransaction() : runner.rollbackTransaction());
    } finally {
      try {
        await runner?.release();
      } finally {
        slots.give();
      }
    }
  };
  try {
    runner = dataSource.createQueryRunner('master');
    await runner.connect();
    await runner.startTransaction();
    const result = await work(runner.manager);
    return { result, commit: () => end('commit'), abandon: () => end('rollback') };
  } catch (error) {
    await end('rollback').catch(() => undefined);
    throw error;
  }
}
