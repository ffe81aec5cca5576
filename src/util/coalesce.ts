/** A job that runs one at a time, with calls made while it runs folded into one more run. */
export interface Coalesced {
  (): Promise<void>;
  /** Settles when no run is in progress or asked for. */
  idle(): Promise<void>;
}

/**
 * Wraps `run` so that a call while it runs is not skipped but asks for one more run after it
 * (what it looks at may have changed after the running one looked), and a burst of calls costs
 * two runs, not one each. Every call's promise settles when the runs it asked for are done.
 * `stopped` ends the loop early (the owner is closing).
 */
export function coalesce(run: () => Promise<void>, stopped: () => boolean = () => false): Coalesced {
  let running: Promise<void> | undefined;
  let again = false;
  const call = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await run();
        } while (again && !stopped());
      } finally {
        // In the same step as the loop's last test: a call from now on starts a run of its own.
        running = undefined;
      }
    })();
    return running;
  };
  return Object.assign(call, { idle: () => running ?? Promise.resolve() });
}
