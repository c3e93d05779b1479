// Everything the bench starts or creates registers how to undo it here; the
// steps run last-registered first, on success, failure and Ctrl-C alike.

const steps: (() => Promise<unknown> | unknown)[] = [];

export function onCleanup(step: () => Promise<unknown> | unknown): void {
  steps.unshift(step);
}

/** Runs every step once (later calls find nothing left), logging failures instead of stopping. */
export async function runCleanup(): Promise<void> {
  for (const step of steps.splice(0)) {
    await Promise.resolve()
      .then(step)
      .catch((error) => console.error("cleanup:", error));
  }
}

/**
 * On SIGINT or SIGTERM: `interrupt`, clean up, exit. `on`, not `once`: Ctrl-C
 * reaches the process twice (from the terminal, and relayed by tsx), and a
 * second signal without a handler would kill it before its cleanup is done.
 */
export function cleanUpOnSignals(interrupt: () => void): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    interrupt();
    void runCleanup().finally(() => process.exit(130));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
