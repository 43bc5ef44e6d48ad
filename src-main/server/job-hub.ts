/**
 * Jobs in web mode: started through the engine client, their events kept in a buffer and sent as
 * server-sent events (GET /api/jobs/:id/events).
 *
 * The buffer is what makes the stream reliable: the browser opens the EventSource only after
 * POST /api/jobs answered, so the first events happen before anyone listens; and EventSource
 * reconnects by itself after a network hiccup, sending Last-Event-ID. Every event has a sequence
 * number and a (re)connecting client gets everything after the one it has. Old progress events
 * are dropped first when a long job fills the buffer (the newest progress says it all); files,
 * logs, samples and the end are kept.
 *
 *   event: job      data: JobStreamEvent
 *   event: result   data: JobResult        (last)
 *   event: failure  data: ApiError         (last; not 'error', which EventSource uses itself)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JobId, JobSpec, JobStreamEvent } from '../shared/api.js';
import type { ClientJob, EngineClient } from '../host/client.js';
import { toApiError } from '../host/errors.js';
import type { ControlAction } from '../host/protocol.js';
import { httpError } from './http.js';

interface Entry {
  seq: number;
  name: 'job' | 'result' | 'failure';
  progress: boolean;
  data: string;
}

interface HubJob {
  client: ClientJob;
  entries: Entry[];
  seq: number;
  ended: boolean;
  listeners: Set<(e: Entry) => void>;
}

const MAX_ENTRIES = 1000;
/** How long a finished job's events stay available (a tab that reconnects late still gets the result). */
const KEEP_FINISHED_MS = 10 * 60 * 1000;
const HEARTBEAT_MS = 15_000;

export class JobHub {
  private readonly jobs = new Map<JobId, HubJob>();
  private readonly streams = new Set<ServerResponse>();

  constructor(private readonly engine: EngineClient) {}

  start(spec: JobSpec): JobId {
    if (!spec || typeof spec !== 'object' || typeof (spec as { type?: unknown }).type !== 'string') {
      throw httpError('usage', 'The job description is missing its type');
    }
    let hub: HubJob | undefined;
    const early: JobStreamEvent[] = [];
    const client = this.engine.startJob(spec, (e) => (hub ? this.push(hub, 'job', e) : early.push(e)));
    hub = { client, entries: [], seq: 0, ended: false, listeners: new Set() };
    this.jobs.set(client.id, hub);
    for (const e of early) this.push(hub, 'job', e);
    const h = hub;
    client.done.then(
      (result) => this.finish(client.id, h, 'result', result),
      (e) => this.finish(client.id, h, 'failure', toApiError(e)),
    );
    return client.id;
  }

  private push(job: HubJob, name: Entry['name'], value: unknown): void {
    const entry: Entry = { seq: ++job.seq, name, progress: name === 'job' && (value as JobStreamEvent).type === 'progress', data: JSON.stringify(value) };
    job.entries.push(entry);
    if (job.entries.length > MAX_ENTRIES) {
      const i = job.entries.findIndex((e) => e.progress);
      job.entries.splice(i >= 0 ? i : 0, 1);
    }
    for (const l of job.listeners) l(entry);
  }

  private finish(id: JobId, job: HubJob, name: 'result' | 'failure', value: unknown): void {
    this.push(job, name, value);
    job.ended = true;
    setTimeout(() => this.jobs.delete(id), KEEP_FINISHED_MS).unref();
  }

  private get(id: JobId): HubJob {
    const job = this.jobs.get(id);
    if (!job) throw httpError('not-found', 'Job not found (it ended a while ago, or the server restarted)');
    return job;
  }

  async control(id: JobId, action: ControlAction): Promise<void> {
    const job = this.get(id);
    if (job.ended) return;
    await job.client[action]();
  }

  /** Streams a job's events from after `lastEventId`; ends the response after the job's last event. */
  subscribe(req: IncomingMessage, res: ServerResponse, id: JobId, lastEventId: number): void {
    const job = this.get(id);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Content-Type-Options': 'nosniff',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    this.streams.add(res);
    const send = (e: Entry): void => {
      res.write(`id: ${e.seq}\nevent: ${e.name}\ndata: ${e.data}\n\n`);
      if (e.name !== 'job') close();
    };
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const close = (): void => {
      clearInterval(heartbeat);
      job.listeners.delete(send);
      this.streams.delete(res);
      if (!res.writableEnded) res.end();
    };
    req.on('close', close);
    for (const e of job.entries) if (e.seq > lastEventId) send(e);
    if (res.writableEnded) return;
    if (job.ended) close(); // the client already has the end
    else job.listeners.add(send);
  }

  /** Ends every open stream (server shutdown). */
  close(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
  }
}
