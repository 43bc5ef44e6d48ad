/**
 * The preload: MendApi (shared/api.ts) for the desktop window, exposed as `window.mend` through
 * contextBridge. Named methods only: the page can call exactly these, each sending one fixed
 * IPC channel; there is no generic send or invoke, and ipcRenderer itself never reaches it.
 *
 * It runs sandboxed, so it cannot import files at run time: vite.preload.config.ts bundles it
 * with ipc-contract.ts into dist/preload/preload.cjs (CommonJS; only `electron` is required).
 *
 * Files the user drops, picks or pastes, and masks the page drew, are sent as bytes. Errors
 * reach the page as plain {code, message} objects: contextBridge would drop an Error's code.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type {
  ApiError, AppInfo, DesktopApi, EngineStatus, ExportOptions, FolderListing, ImageComparison, ImageId, ImageInfo, ImageVariant,
  BatchPreset, JobHandle, JobResultFor, JobSpec, JobStreamEvent, MendApi, MenuCommand, ModelDetails, ModelSummary,
} from '../shared/api.js';
import {
  batchOutputUrl, diffUrl, imageUrl, type EventPayloads, type InvokeChannel, type InvokePayloads, type Reply,
} from '../app/ipc-contract.js';

function apiError(e: unknown): ApiError {
  const x = e as Partial<ApiError> | null;
  if (x && typeof x.code === 'string' && typeof x.message === 'string') return { code: x.code as ApiError['code'], message: x.message };
  const message = (e as { message?: unknown } | null)?.message;
  return { code: 'internal', message: typeof message === 'string' && message ? message : 'The request to the Mend engine failed' };
}

async function invoke<T>(channel: InvokeChannel, payload: InvokePayloads[InvokeChannel]): Promise<T> {
  let reply: Reply<T>;
  try {
    reply = (await ipcRenderer.invoke(channel, payload)) as Reply<T>;
  } catch (e) {
    throw apiError(e);
  }
  if (!reply || typeof reply !== 'object') throw apiError(undefined);
  if (!reply.ok) throw apiError(reply.error);
  return (reply.value ?? undefined) as T;
}

/** 16 random URL-safe characters: a job id in the engine's id format (host/layout.ts). */
function newJobId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

// ---- Jobs: events from main, routed to the page's handler by job id -------------------------

interface Listener {
  onEvent(e: JobStreamEvent): void;
  resolve(r: unknown): void;
  reject(e: ApiError): void;
}
const jobs = new Map<string, Listener>();

ipcRenderer.on('mend:job-event', (_e: IpcRendererEvent, m: EventPayloads['mend:job-event']) => {
  const l = m && jobs.get(m.job);
  if (!l) return;
  try {
    l.onEvent(m.event);
  } catch (err) {
    // A throwing page handler must not stop the job's stream.
    console.error(err);
  }
});
ipcRenderer.on('mend:job-end', (_e: IpcRendererEvent, m: EventPayloads['mend:job-end']) => {
  const l = m && jobs.get(m.job);
  if (!l) return;
  jobs.delete(m.job);
  if (m.ok) l.resolve(m.result);
  else l.reject(apiError(m.error));
});

async function startJob<S extends JobSpec>(spec: S, onEvent: (e: JobStreamEvent) => void): Promise<JobHandle<S>> {
  const id = newJobId();
  let resolve!: (r: JobResultFor<S>) => void;
  let reject!: (e: ApiError) => void;
  const done = new Promise<JobResultFor<S>>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Registered before the start: no event can arrive for an unknown job.
  jobs.set(id, { onEvent: (e) => onEvent(e), resolve: resolve as (r: unknown) => void, reject });
  try {
    await invoke('mend:job-start', { id, spec });
  } catch (e) {
    jobs.delete(id);
    throw e;
  }
  // Callers that only use onEvent must not get an "unhandled rejection" in the console.
  done.catch(() => undefined);
  const control = (action: 'cancel' | 'pause' | 'resume') => (): Promise<void> => invoke('mend:job-control', { id, action });
  return { id, done, cancel: control('cancel'), pause: control('pause'), resume: control('resume') };
}

// ---- Events for the desktop extras -----------------------------------------------------------

function subscribe<C extends 'mend:opened' | 'mend:menu' | 'mend:engine'>(channel: C, deliver: (p: EventPayloads[C]) => void): () => void {
  const listener = (_e: IpcRendererEvent, p: EventPayloads[C]): void => {
    try {
      deliver(p);
    } catch (err) {
      console.error(err);
    }
  };
  ipcRenderer.on(channel, listener);
  return () => void ipcRenderer.removeListener(channel, listener);
}

const desktop: DesktopApi = {
  chooseFolder: (purpose: 'input' | 'output' | 'train') => invoke<string | undefined>('mend:choose-folder', { purpose }),
  onImagesOpened(handler: (images: ImageInfo[], failures: ApiError[]) => void) {
    const off = subscribe('mend:opened', (p) => handler(p.images, p.failures));
    // Main keeps what it opened before the page listened (files the app was launched with).
    void invoke('mend:ready', {}).catch(() => undefined);
    return off;
  },
  onMenuCommand: (handler: (command: MenuCommand) => void) => subscribe('mend:menu', (p) => handler(p.command)),
  onEngineStatus: (handler: (status: EngineStatus) => void) => subscribe('mend:engine', (p) => handler(p)),
};

// Dropped, picked and pasted files go to main as bytes, never as paths: main grants no path the
// window names (desktop-host.ts), since it cannot verify that a path came from a real drop.
async function addImage(name: string, data: Blob): Promise<ImageInfo> {
  return invoke('mend:add-image-bytes', { name: String(name), data: await data.arrayBuffer() });
}

async function importModel(name: string, data: Blob): Promise<ModelSummary> {
  return invoke('mend:import-model-bytes', { name: String(name), data: await data.arrayBuffer() });
}

const api: MendApi = {
  desktop,
  info: () => invoke<AppInfo>('mend:info', {}),
  addImage,
  openPath: (path: string) => invoke<ImageInfo>('mend:open-path', { path }),
  imageUrl: (id: ImageId, variant?: ImageVariant) => imageUrl(String(id), variant),
  diffUrl: (a: ImageId, b: ImageId, gain: number) => diffUrl(String(a), String(b), Number(gain)),
  removeImage: (id: ImageId) => invoke<void>('mend:remove-image', { id }),
  compare: (reference: ImageId, image: ImageId, mask?: ImageId) =>
    invoke<ImageComparison>('mend:compare', mask === undefined ? { reference, image } : { reference, image, mask }),
  browse: (path?: string) => invoke<FolderListing>('mend:browse', path === undefined ? {} : { path }),
  startJob,
  exportImage: (opts: ExportOptions) => invoke<string>('mend:export-image', { opts }),
  batchOutputUrl: (outDir: string, name: string) => batchOutputUrl(String(outDir), String(name)),
  listModels: () => invoke<ModelSummary[]>('mend:list-models', {}),
  modelDetails: (id: string) => invoke<ModelDetails>('mend:model-details', { id }),
  renameModel: (id: string, name: string) => invoke<ModelSummary>('mend:rename-model', { id, name }),
  deleteModel: (id: string) => invoke<void>('mend:delete-model', { id }),
  importModel,
  exportModel: (id: string) => invoke<string>('mend:export-model', { id }),
  listPresets: () => invoke<BatchPreset[]>('mend:list-presets', {}),
  savePreset: (preset: BatchPreset) => invoke<BatchPreset[]>('mend:save-preset', { preset }),
  deletePreset: (name: string) => invoke<BatchPreset[]>('mend:delete-preset', { name: String(name) }),
};

contextBridge.exposeInMainWorld('mend', api);
