// The job protocol shared by the CLI, the engine process and web mode: every long operation
// emits these events and ends with a result or a MendError.

export interface ProgressEvent {
  type: 'progress';
  /** What the job is doing now, e.g. 'denoise', 'train', 'eval'. */
  stage: string;
  done: number;
  total: number;
  /** Seconds left, when it can be estimated. */
  etaSeconds?: number;
  /** Short human text (current file, sigma, ...). */
  detail?: string;
  /** Extra numbers a stage reports (loss, val PSNR, patches/s, ...). */
  metrics?: Record<string, number>;
}

export interface LogEvent {
  type: 'log';
  level: 'info' | 'warn';
  message: string;
}

export type JobEvent = ProgressEvent | LogEvent;

export type ProgressSink = (event: JobEvent) => void;

export interface JobContext {
  signal?: AbortSignal;
  onEvent?: ProgressSink;
}
