// Ctrl-C (SIGINT) and SIGTERM during a fit: the first one aborts the fit (it stops at its next
// iteration, which the async driver reaches within milliseconds), a second one exits at once.
// Exit codes follow the shell's convention: 128 + signal number.
export type StopSignal = 'SIGINT' | 'SIGTERM';

export const SIGNAL_EXIT: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

export interface Interrupts {
  readonly signal: AbortSignal;
  /** The signal received, if any. */
  received(): StopSignal | undefined;
  dispose(): void;
}

export function catchInterrupts(onFirst?: (s: StopSignal) => void): Interrupts {
  const ctl = new AbortController();
  let got: StopSignal | undefined;
  const handler = (s: StopSignal): void => {
    if (got) process.exit(SIGNAL_EXIT[s]);
    got = s;
    onFirst?.(s);
    ctl.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ctl.signal,
    received: () => got,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
