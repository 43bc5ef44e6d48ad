import { MendError } from '../../shared/errors.js';

/** Throws a 'cancelled' MendError when the signal has fired; call between units of work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MendError('cancelled', 'Cancelled');
}

/** Lets the event loop breathe (progress output, Ctrl-C) during long synchronous loops. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
