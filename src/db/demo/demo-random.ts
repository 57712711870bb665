// Deterministic pseudo-random numbers for the demo data set: the same seed gives the same data.
export class DemoRandom {
  private state: number;

  constructor(seed = 20251127) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1) (mulberry32). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Money with two decimals as an exact string. */
  money(min: number, max: number): string {
    const cents = this.int(Math.round(min * 100), Math.round(max * 100));
    return (cents / 100).toFixed(2);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** Uppercase alphanumerics, e.g. ASIN-like or id-like strings. */
  code(length: number, alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'): string {
    let out = '';
    for (let i = 0; i < length; i += 1) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}
