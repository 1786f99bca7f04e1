// SIGINT and SIGTERM during `netc train`: the first asks the run to stop after the current
// epoch (it then saves that epoch and exits 128 + the signal number); a second ends the
// process at once, as if netc had not been listening.

/** Exit status after a signal, as a shell reports it: 128 + the signal's number. */
export const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

export function watchSignals(): { received: () => string | null; dispose: () => void } {
  let received: NodeJS.Signals | null = null;
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      dispose();
      process.kill(process.pid, signal);
      return;
    }
    received = signal;
  };
  const dispose = () => {
    process.removeListener("SIGINT", handler);
    process.removeListener("SIGTERM", handler);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return { received: () => received, dispose };
}
