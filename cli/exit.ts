// The exit codes, the expected-failure exception and the output sink: what cli/main.ts needs
// before it knows the command, kept free of the compiler so `pmix --version` stays light.
export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;

/** Raised by commands for an expected failure: already reported, just exit with this code. */
export class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface Output {
  json: boolean;
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Output = {
  json: false,
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
};
