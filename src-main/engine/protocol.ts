/**
 * Messages between a host (the web server, later Electron main) and the engine process. Plain
 * JSON: they travel over child_process IPC now and Electron's parentPort later, unchanged.
 *
 *   host -> engine   call {id, method, args}      engine -> host   reply {id, ok, value | error}
 *                    startJob {job, spec}                          event {job, event}
 *                    control {job, action}                         end {job, ok, result | error}
 *                                                                  ready {backend} | fatal {error}
 *
 * A job's `end` is always its last message; after `control: cancel` it still comes (a batch
 * ends with its summary, other jobs with error code 'cancelled').
 */
import type { ApiError, BackendInfo, JobId, JobResult, JobSpec, JobStreamEvent } from '../shared/api.js';
import type { EngineCalls, EngineMethod } from './engine.js';

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
