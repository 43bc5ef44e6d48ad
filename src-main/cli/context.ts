import type { JobContext } from '../shared/jobs.js';
import type { Reporter } from './progress.js';

/** What every command gets from main: output mode, progress sink, cancel signal. */
export interface CommandContext {
  json: boolean;
  reporter: Reporter;
  job: JobContext;
  /** The command as typed (recorded in model cards). */
  commandLine: string;
}
