// How fast this machine runs right now: the CPU time one fixed computation takes in this process.
// On the shared development machine, the same work sometimes needs a third more CPU time for tens
// of seconds, in every process at once (docs/benchmarks.md, "Prepared statements"). The gateway's
// CPU per request rises with it, and so a long run cannot tell such a slowdown from the gateway's
// own without a gauge like this one.

/** The same arithmetic every time: about 40 ms of CPU on the development machine. */
function fixedWork(): number {
  let sum = 0;
  for (let i = 0; i < 3_000_000; i += 1) sum += Math.sqrt(i ^ (sum & 1023));
  return sum;
}

/** CPU ms of the fixed computation, the median of three (runs synchronously: call it between load runs). */
export function fixedWorkMs(): number {
  const times: number[] = [];
  let sink = 0;
  for (let run = 0; run < 3; run += 1) {
    const before = process.cpuUsage();
    sink += fixedWork();
    const used = process.cpuUsage(before);
    times.push((used.user + used.system) / 1000);
  }
  // The result is used, so the computation cannot be optimized away.
  if (Number.isNaN(sink)) throw new Error('the fixed computation gave no number');
  times.sort((a, b) => a - b);
  return Math.round(times[1] * 10) / 10;
}
