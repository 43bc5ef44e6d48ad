/**
 * Errors that cross a process or network boundary: always `{code, message}` (ApiError), one
 * line, never a stack. Core code throws MendError; the engine adds the codes only a host knows
 * about ('forbidden' for paths outside the shared roots, 'engine-crashed').
 */
import type { ApiError } from '../shared/api.js';
import { MendError } from '../shared/errors.js';

export type ApiErrorCode = ApiError['code'];

/** An Error with an ApiError code; what engine and client code throw and reject with. */
export class EngineError extends Error implements ApiError {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = 'EngineError';
  }
}

function firstLine(text: string): string {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? 'unknown error';
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** Any thrown value as a plain, JSON-safe ApiError. Unknown errors become 'internal' with their first line. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof EngineError || e instanceof MendError) return { code: e.code, message: firstLine(e.message) };
  const msg = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: `internal error: ${firstLine(msg)}` };
}

/** Back from the wire: an ApiError as an EngineError (so callers get an Error with a code). */
export function fromApiError(e: ApiError): EngineError {
  return new EngineError(e.code, e.message);
}
