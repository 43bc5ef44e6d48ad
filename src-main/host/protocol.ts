/**
 * Messages between a host (the web server, the desktop app's main process) and the engine
 * process. Plain JSON: they travel over child_process IPC (web mode) and an Electron utility
 * process's parentPort (desktop) unchanged.
 *
 *   host -> engine   call {id, method, args}      engine -> host   reply {id, ok, value | error}
 *                    startJob {job, spec}                          event {job, event}
 *                    control {job, action}                         end {job, ok, result | error}
 *                                                                  ready {backend} | fatal {error}
 *
 * A job's `end` is always its last message; after `control: cancel` it still comes (a batch
 * ends with its summary, other jobs with error code 'cancelled').
 */
import type {
  ApiError, AppInfo, BackendInfo, ExportOptions, FolderListing, ImageComparison, ImageId, ImageInfo, ImageVariant, JobId, JobResult,
  JobSpec, JobStreamEvent, ModelDetails, ModelSummary,
} from '../shared/api.js';
import type { BatchPreset } from '../shared/schema/presets.js';

/** A file the engine wrote for the host to stream or move (exports). */
export interface ExportedFile {
  /** The encoded file (a temp file unless a target was given). */
  file: string;
  /** The name to save/download it under. */
  fileName: string;
}

/** The request/response methods (the `call` messages); engine.ts implements them. */
export interface EngineCalls {
  info(): Promise<AppInfo>;
  addImage(name: string, file: string): Promise<ImageInfo>;
  openPath(path: string): Promise<ImageInfo>;
  removeImage(id: ImageId): Promise<void>;
  compare(reference: ImageId, image: ImageId, mask?: ImageId): Promise<ImageComparison>;
  browse(path?: string): Promise<FolderListing>;
  exportImage(opts: ExportOptions, target?: string): Promise<ExportedFile>;
  imageFile(id: ImageId, variant: ImageVariant): Promise<string>;
  diffImage(a: ImageId, b: ImageId, gain: number): Promise<string>;
  batchOutputFile(outDir: string, name: string): Promise<string>;
  listModels(): Promise<ModelSummary[]>;
  modelDetails(id: string): Promise<ModelDetails>;
  renameModel(id: string, name: string): Promise<ModelSummary>;
  deleteModel(id: string): Promise<void>;
  importModel(name: string, file: string): Promise<ModelSummary>;
  exportModel(id: string): Promise<ExportedFile>;
  /** Batch presets (core/batch/presets.ts), shared with `mend batch --preset`. */
  listPresets(): Promise<BatchPreset[]>;
  savePreset(preset: BatchPreset): Promise<BatchPreset[]>;
  deletePreset(name: string): Promise<BatchPreset[]>;
  /** A new sub-folder (the web folder picker's "New folder"); returns its path. */
  makeFolder(parent: string, name: string): Promise<string>;
}

export type EngineMethod = keyof EngineCalls;
export const ENGINE_METHODS: readonly EngineMethod[] = [
  'info', 'addImage', 'openPath', 'removeImage', 'compare', 'browse', 'exportImage', 'imageFile', 'diffImage', 'batchOutputFile',
  'listModels', 'modelDetails', 'renameModel', 'deleteModel', 'importModel', 'exportModel',
  'listPresets', 'savePreset', 'deletePreset', 'makeFolder',
];


export type CallArgs<M extends EngineMethod> = Parameters<EngineCalls[M]>;
export type CallValue<M extends EngineMethod> = Awaited<ReturnType<EngineCalls[M]>>;

export interface CallMessage<M extends EngineMethod = EngineMethod> {
  kind: 'call';
  id: number;
  method: M;
  args: CallArgs<M>;
}
export interface StartJobMessage {
  kind: 'startJob';
  job: JobId;
  spec: JobSpec;
}
export type ControlAction = 'cancel' | 'pause' | 'resume';
export interface ControlMessage {
  kind: 'control';
  job: JobId;
  action: ControlAction;
}
export type HostMessage = CallMessage | StartJobMessage | ControlMessage;

export type ReplyMessage =
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: ApiError };
export interface EventMessage {
  kind: 'event';
  job: JobId;
  event: JobStreamEvent;
}
export type EndMessage =
  | { kind: 'end'; job: JobId; ok: true; result: JobResult }
  | { kind: 'end'; job: JobId; ok: false; error: ApiError };
/** Sent once the backend is up; `fatal` instead when it cannot start (every call then fails with it). */
export type StatusMessage = { kind: 'ready'; backend: BackendInfo } | { kind: 'fatal'; error: ApiError };
export type EngineMessage = ReplyMessage | EventMessage | EndMessage | StatusMessage;

/** Environment variables a host starts the engine process with. */
export const ENGINE_ENV = {
  /** The workspace folder (owned by the host: it outlives engine restarts). */
  workspace: 'MEND_WORKSPACE',
  /** JSON array of real root paths (web mode); absent = no restriction (desktop). */
  roots: 'MEND_ROOTS',
  /** 'web' | 'desktop', reported by info(). */
  mode: 'MEND_MODE',
} as const;

/** The smallest check that a message from the other side has the shape we switch on. */
export function isHostMessage(m: unknown): m is HostMessage {
  const k = (m as { kind?: unknown } | null)?.kind;
  return k === 'call' || k === 'startJob' || k === 'control';
}

export function isEngineMessage(m: unknown): m is EngineMessage {
  const k = (m as { kind?: unknown } | null)?.kind;
  return k === 'reply' || k === 'event' || k === 'end' || k === 'ready' || k === 'fatal';
}
