// How much of the machine's CPU time went to waiting for the disk during a measured run (Linux
// `/proc/stat`). The audited variants answer only once their audit record is committed, so their
// req/s follows the time PostgreSQL's WAL flush takes: a run with a high I/O wait measured the
// disk as much as the gateway.
import { readFileSync } from 'node:fs';

export interface CpuTimes {
  ioWait: number;
  total: number;
}

/** The machine's CPU time counters so far, or null where `/proc/stat` cannot be read. */
export function machineCpuTimes(): CpuTimes | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is counted in user already)
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    return { ioWait: fields[4], total };
  } catch {
    return null;
  }
}

/** Percent of the machine's CPU time spent waiting for I/O between two readings (null if unknown). */
export function ioWaitPercent(before: CpuTimes | null, after: CpuTimes | null): number | null {
  if (!before || !after || after.total <= before.total) return null;
  return Math.round(((after.ioWait - before.ioWait) / (after.total - before.total)) * 1000) / 10;
}

/** The I/O wait as a table cell: `-` when unknown. */
export function ioWaitCell(percent: number | null): string {
  return percent === null ? '-' : percent.toFixed(1);
}

/** `, machine I/O wait x %` for a log line, or nothing when unknown. */
export function ioWaitSuffix(percent: number | null): string {
  return percent === null ? '' : `, machine I/O wait ${percent.toFixed(1)} %`;
}
