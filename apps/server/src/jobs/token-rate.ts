const count = (n: number) => Math.round(n).toLocaleString('en-US');

/**
 * A pass over a corpus as a job reports it: tokens done of the total, the rate in this run, and the seconds left
 * at that rate. The rate counts only this run's tokens and time, so a resumed run's estimate is not skewed by the
 * work an earlier run did.
 */
export class TokenRate {
  private readonly startedAt: number;

  constructor(
    private readonly total: number,
    /** Tokens an earlier, interrupted run already did (0 on a first run). */
    private readonly doneAtStart: number,
    now = Date.now(),
  ) {
    this.startedAt = now;
  }

  /** "40,960 of 100,000 tokens, 312 tok/s", with the seconds left; no rate nor ETA before this run did any. */
  describe(done: number, now = Date.now()): { text: string; etaSeconds?: number } {
    const tokens = `${count(done)} of ${count(this.total)} tokens`;
    const seconds = (now - this.startedAt) / 1000;
    const rate = seconds > 0 ? (done - this.doneAtStart) / seconds : 0;
    if (rate <= 0) return { text: tokens };
    const shown = rate >= 10 ? count(rate) : rate.toPrecision(2);
    return { text: `${tokens}, ${shown} tok/s`, etaSeconds: Math.max(0, this.total - done) / rate };
  }
}
