/**
 * One IPC request, from arrival to reply: is the sender the app's own window (security.ts)? is
 * the payload exactly what the channel takes (validate.ts)? then the handler
 * (desktop-host.ts), with any failure turned into an ApiError in the reply envelope. ipc.ts
 * registers this for every channel; nothing else answers the window.
 */
import { toApiError } from '../host/errors.js';
import type { Handlers } from './desktop-host.js';
import type { InvokeChannel, Reply } from './ipc-contract.js';
import { isTrustedSender, type SenderInfo } from './security.js';
import { isInvokeChannel, validatePayload } from './validate.js';

export const UNTRUSTED_SENDER = 'Refused: the request did not come from the Mend window';

export async function dispatch(
  channel: InvokeChannel | string,
  sender: SenderInfo,
  payload: unknown,
  ctx: { handlers: Handlers; appWebContents: ReadonlySet<number> },
): Promise<Reply<unknown>> {
  if (!isTrustedSender(sender, ctx.appWebContents)) return { ok: false, error: { code: 'forbidden', message: UNTRUSTED_SENDER } };
  if (!isInvokeChannel(channel)) return { ok: false, error: { code: 'usage', message: 'Unknown request' } };
  try {
    const valid = validatePayload(channel, payload);
    const handler = ctx.handlers[channel] as (p: unknown) => Promise<unknown>;
    const value = await handler(valid);
    return { ok: true, value: value ?? null };
  } catch (e) {
    return { ok: false, error: toApiError(e) };
  }
}
