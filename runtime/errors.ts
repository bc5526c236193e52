// An error the user can act on (bad data, a fit that went non-finite): the CLI prints its
// message without a stack trace. Anything else escaping the runtime is a bug.
export class PmixError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'PmixError';
  }
}
