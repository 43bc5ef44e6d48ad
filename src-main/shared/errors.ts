// Typed errors with messages a user understands. The CLI prints `message` on one line;
// the UI shows it as is. `code` lets callers react without parsing text.
export type MendErrorCode =
  | 'usage'
  | 'not-found'
  | 'not-an-image'
  | 'corrupt-image'
  | 'too-large'
  | 'unwritable'
  | 'unsupported'
  | 'model'
  | 'cancelled'
  | 'internal';

export class MendError extends Error {
  readonly code: MendErrorCode;
  constructor(code: MendErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'MendError';
  }
}

export function isMendError(e: unknown): e is MendError {
  return e instanceof MendError;
}
