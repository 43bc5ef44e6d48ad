/**
 * Messages for the user: errors in words (never a stack), and short confirmations.
 * Every page reports through here so messages look and behave the same everywhere.
 */
export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  message: string;
}

let next = 1;
export const toasts = $state<Toast[]>([]);

export function dismissToast(id: number): void {
  const i = toasts.findIndex((t) => t.id === id);
  if (i >= 0) toasts.splice(i, 1);
}

export function notify(kind: Toast['kind'], message: string, ms = kind === 'error' ? 8000 : 3500): void {
  const id = next++;
  toasts.push({ id, kind, message });
  setTimeout(() => dismissToast(id), ms);
}

/** Turns whatever was thrown (an ApiError from the engine, a network failure) into one sentence. */
export function errorMessage(e: unknown): string {
  if (e && typeof e === 'object' && 'message' in e && typeof (e as { message: unknown }).message === 'string') {
    const m = (e as { message: string }).message;
    return m.split('\n')[0] || 'Something went wrong';
  }
  return typeof e === 'string' ? e : 'Something went wrong';
}

export function reportError(e: unknown): void {
  // A cancel is the user's own choice, not an error.
  if (e && typeof e === 'object' && (e as { code?: string }).code === 'cancelled') {
    notify('info', 'Cancelled');
    return;
  }
  notify('error', errorMessage(e));
}
