/**
 * The IPC contract between the preload (src-main/preload) and the main process (ipc.ts): channel
 * names, payload shapes, the reply envelope, and the URLs of the two custom protocols. Types and
 * pure functions only, no imports of Node or electron: the preload bundle includes this file.
 *
 * Every channel is an invoke (renderer -> main, one reply) except the events main sends to
 * the window (EventPayloads). Payloads are checked in main by validate.ts before anything else reads them.
 */
import type * as v from 'valibot';
import type { ApiError, EngineStatus, ImageId, ImageInfo, ImageVariant, JobId, JobResult, JobStreamEvent, MenuCommand } from '../shared/api.js';
import type { IPC_PAYLOAD_SCHEMAS } from '../shared/schema/ipc.js';

/** The app's own origin: the interface is served from app://mend/ (app-protocol.ts). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'mend';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** Workspace images, differences and batch outputs are shown through mend-image://workspace/. */
export const IMAGE_SCHEME = 'mend-image';
export const IMAGE_HOST = 'workspace';
export const IMAGE_ORIGIN = `${IMAGE_SCHEME}://${IMAGE_HOST}`;

const enc = encodeURIComponent;

export function imageUrl(id: ImageId, variant: ImageVariant = 'view'): string {
  return `${IMAGE_ORIGIN}/image/${enc(id)}/${variant === 'thumb' ? 'thumb' : 'view'}`;
}

export function diffUrl(a: ImageId, b: ImageId, gain: number): string {
  return `${IMAGE_ORIGIN}/diff/${enc(a)}/${enc(b)}?gain=${enc(String(gain))}`;
}

export function batchOutputUrl(outDir: string, name: string): string {
  return `${IMAGE_ORIGIN}/batch-output?dir=${enc(outDir)}&name=${enc(name)}`;
}

/**
 * Renderer -> main requests (ipcRenderer.invoke) and their payloads, as the preload sends them:
 * declared once as schemas in shared/schema/ipc.ts, which main checks them against.
 */
export type InvokePayloads = { [C in keyof IpcPayloadSchemas]: v.InferInput<IpcPayloadSchemas[C]> };
type IpcPayloadSchemas = typeof IPC_PAYLOAD_SCHEMAS;

export type InvokeChannel = keyof InvokePayloads;

export const INVOKE_CHANNELS: readonly InvokeChannel[] = [
  'mend:info', 'mend:add-image-bytes', 'mend:open-path', 'mend:remove-image', 'mend:compare',
  'mend:browse', 'mend:job-start', 'mend:job-control', 'mend:export-image', 'mend:list-models', 'mend:model-details',
  'mend:rename-model', 'mend:delete-model', 'mend:import-model-bytes', 'mend:export-model',
  'mend:list-presets', 'mend:save-preset', 'mend:delete-preset',
  'mend:choose-folder', 'mend:ready',
];

/**
 * Every reply is an envelope: Electron turns an exception thrown by a handler into an Error whose
 * message is prefixed with internals and whose code is lost, so handlers never throw across IPC.
 */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ApiError };

/** Main -> renderer events (webContents.send). */
export interface EventPayloads {
  'mend:job-event': { job: JobId; event: JobStreamEvent };
  'mend:job-end': { job: JobId; ok: true; result: JobResult } | { job: JobId; ok: false; error: ApiError };
  'mend:opened': { images: ImageInfo[]; failures: ApiError[] };
  'mend:menu': { command: MenuCommand };
  'mend:engine': EngineStatus;
}

export type EventChannel = keyof EventPayloads;
