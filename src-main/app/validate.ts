/**
 * Payload validation for every IPC channel. The renderer is treated as untrusted: a payload is
 * accepted only when it is plain data of exactly the shape its channel's schema declares
 * (shared/schema/ipc.ts, built from the same request schemas `mend serve` and the engine use);
 * anything else is refused with an EngineError 'usage' and a one-line reason before a handler
 * sees it. Pure TypeScript, no electron, so it is tested directly (test/unit/app/validate.test.ts)
 * and over every request the renderer builds (test/unit/app/request-contract.test.ts).
 */
import type * as v from 'valibot';
import { EngineError } from '../host/errors.js';
import { IPC_PAYLOAD_SCHEMAS } from '../shared/schema/ipc.js';
import { checkRequest } from '../shared/schema/parse.js';
import type { InvokeChannel } from './ipc-contract.js';

export { MAX_PATH_LENGTH } from '../shared/schema/fields.js';
export { isPlainObject } from '../shared/schema/parse.js';

/** What a validated payload is: bytes arrive as Uint8Array whatever the window sent. */
export type Validated<C extends InvokeChannel> = v.InferOutput<(typeof IPC_PAYLOAD_SCHEMAS)[C]>;

export function isInvokeChannel(c: unknown): c is InvokeChannel {
  return typeof c === 'string' && Object.prototype.hasOwnProperty.call(IPC_PAYLOAD_SCHEMAS, c);
}

/** The payload of `channel` if it has exactly the expected shape; throws EngineError 'usage' otherwise. */
export function validatePayload<C extends InvokeChannel>(channel: C, payload: unknown): Validated<C> {
  if (!isInvokeChannel(channel)) throw new EngineError('usage', 'Refused a request from the window: the channel is unknown');
  const r = checkRequest(IPC_PAYLOAD_SCHEMAS[channel], payload ?? {}, 'the request');
  if (!r.ok) throw new EngineError('usage', `Refused a request from the window: ${r.reason}`);
  return r.value as Validated<C>;
}
