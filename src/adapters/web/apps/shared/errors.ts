/** What went wrong, as the protocols say it (SPEC §3 tokens), and as a person reads it. */

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    /** `validation-failed`, `unauthorized`, `not-found`, `unavailable`, … or `unreachable` when no answer came */
    readonly code: string,
    readonly detail: string,
    /** the HTTP status, 0 without one */
    readonly status = 0,
  ) {
    super(detail);
  }

  static unreachable(): AppError {
    return new AppError('unreachable', 'The server cannot be reached. Check that zerotouch is running and the network is up.');
  }

  /** a `...Result` message's `error: {code, detail}` */
  static fromResult(error: { code?: unknown; detail?: unknown }): AppError {
    return new AppError(typeof error.code === 'string' ? error.code : 'failed', typeof error.detail === 'string' ? error.detail : 'the request failed');
  }
}

const WHAT: Readonly<Record<string, string>> = {
  unauthorized: 'The token was refused',
  forbidden: 'Not allowed',
  'not-found': 'Not found',
  conflict: 'Conflict',
  'validation-failed': 'Check the input',
  unavailable: 'Not available right now',
  'bad-gateway': 'A service behind this one failed',
  'rate-limited': 'Too many attempts',
  'payload-too-large': 'Too much at once',
};

/** one sentence for an error banner */
export function describeError(error: unknown): string {
  if (error instanceof AppError) {
    if (error.code === 'unreachable') return error.detail;
    const what = WHAT[error.code];
    return what ? `${what}: ${error.detail}` : error.detail;
  }
  return error instanceof Error ? error.message : String(error);
}
