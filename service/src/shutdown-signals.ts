/**
 * One Ctrl-C often arrives twice: the terminal signals the whole foreground process group and `npm start`
 * forwards its own copy. Signals this close together count as one press.
 */
const SAME_PRESS_MS = 500;

export interface ShutdownSignalHandlers {
  /** The first press: begin the graceful shutdown. */
  readonly begin: (signal: NodeJS.Signals) => void;
  /** The second press: still draining; tell the operator what a third does. */
  readonly repeated: (signal: NodeJS.Signals) => void;
  /** The third press: give up on the graceful shutdown. */
  readonly force: (signal: NodeJS.Signals) => void;
}

/** Listens for SIGTERM and SIGINT for the life of the process; repeated signals never cut a drain short. */
export function onShutdownSignals(handlers: ShutdownSignalHandlers): void {
  let presses = 0;
  let lastAt = -Infinity;
  const handle = (signal: NodeJS.Signals) => {
    const now = performance.now();
    const samePress = now - lastAt < SAME_PRESS_MS;
    lastAt = now;
    if (samePress) return;
    presses += 1;
    if (presses === 1) handlers.begin(signal);
    else if (presses === 2) handlers.repeated(signal);
    else handlers.force(signal);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, handle);
}
