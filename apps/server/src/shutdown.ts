// Stopping a process within a deadline. Each close step says what it is waiting for while it runs, so a missed
// deadline can name it; a step that does not finish in its share of the time is left behind, so the steps after it
// (closing the database, which frees its connections) still run.

/** What shutdown waits for right now; each entry describes itself when asked (counts change while waiting). */
const waits = new Set<() => string>();

/** Marks the start of something shutdown waits for; call the returned function when it is done. */
export function waitingFor(describe: string | (() => string)): () => void {
  const entry = typeof describe === 'string' ? () => describe : describe;
  waits.add(entry);
  return () => waits.delete(entry);
}

export function describeWaits(): string {
  return [...waits].map((describe) => describe()).join('; ') || 'nothing known';
}

/** Runs `run`, but returns after `ms` at the latest (logging that it gave up); a failure is logged, not thrown. */
export async function boundedStep(
  name: string | (() => string),
  run: () => Promise<unknown>,
  ms: number,
): Promise<void> {
  const describe = typeof name === 'string' ? () => name : name;
  const done = waitingFor(describe);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  // A step left behind may still fail later (its connection killed when the database goes): that failure is
  // logged here too, never left as an unhandled rejection.
  const running = Promise.resolve()
    .then(run)
    .then(
      () => 'done' as const,
      (error: unknown) => {
        console.error(`shutdown: ${describe()} failed:`, error);
        return 'failed' as const;
      },
    );
  try {
    const outcome = await Promise.race([running, timedOut]);
    if (outcome === 'timeout') console.error(`shutdown: ${describe()} did not finish in ${ms} ms; going on without it`);
  } finally {
    clearTimeout(timer);
    done();
  }
}

export interface SignalOptions {
  /** For the log: "API", "worker". */
  name: string;
  /** After this long the process exits non-zero, whatever is still open. */
  deadlineMs: number;
  stop: () => Promise<void>;
  /** Injected by tests; the process's own exit otherwise. */
  exit?: (code: number) => void;
}

/**
 * SIGTERM and SIGINT stop the process: `stop` runs, then it exits 0; past the deadline it logs what it still waited
 * for and exits 1. A second signal exits at once (an operator who asks twice means it).
 */
export function stopOnSignals(options: SignalOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${options.name}: second ${signal} while stopping (waiting for ${describeWaits()}); exiting now`);
      exit(1);
      return;
    }
    stopping = true;
    console.log(`${options.name}: ${signal}, stopping (at most ${options.deadlineMs} ms)`);
    const deadline = setTimeout(() => {
      console.error(
        `${options.name}: not stopped after ${options.deadlineMs} ms, still waiting for ${describeWaits()}; exiting`,
      );
      exit(1);
    }, options.deadlineMs);
    options.stop().then(
      () => {
        clearTimeout(deadline);
        exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        console.error(`${options.name}: stopping failed:`, error);
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
