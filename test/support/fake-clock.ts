import type { Clock, Random } from '../../shared/ports.js';

interface Sleeper {
  readonly wakeAt: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/**
 * A clock that never waits for real. `sleep(ms)` records `ms` and is a discrete-event simulation: once the
 * promise-only work in flight has settled (a macrotask later), time jumps to the earliest pending wake-up and that
 * sleeper resumes. Concurrent sleepers therefore overlap in simulated time, as they would for real.
 */
export class FakeClock implements Clock {
  /** Every `sleep` argument, in call order. */
  readonly sleeps: number[] = [];
  #now: number;
  #seq = 0;
  readonly #sleepers: Sleeper[] = [];

  constructor(start: Date | string = '2030-01-01T00:00:00Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** Milliseconds since the epoch, for arithmetic in tests. */
  get millis(): number {
    return this.#now;
  }

  /** Move time forward without anyone sleeping. */
  advance(ms: number): void {
    this.#now += ms;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve) => {
      this.#sleepers.push({ wakeAt: this.#now + Math.max(0, ms), seq: this.#seq++, resolve });
      setImmediate(() => this.#wakeEarliest());
    });
  }

  #wakeEarliest(): void {
    if (this.#sleepers.length === 0) return;
    this.#sleepers.sort((a, b) => a.wakeAt - b.wakeAt || a.seq - b.seq);
    const next = this.#sleepers.shift() as Sleeper;
    this.#now = Math.max(this.#now, next.wakeAt);
    next.resolve();
  }
}

/** A repeatable uniform random source (mulberry32). */
export class SeededRandom implements Random {
  #state: number;

  constructor(seed = 42) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** A random source that always answers the same number (the extremes of jitter). */
export class FixedRandom implements Random {
  constructor(private readonly value: number) {}

  next(): number {
    return this.value;
  }
}
