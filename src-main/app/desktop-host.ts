/**
 * The desktop app's side of MendApi: one handler per IPC channel, on the engine process
 * (host/client.ts), the workspace (host/host.ts) and the paths the user granted
 * (grants.ts), as the web server's routes are for HTTP. What Electron does (dialogs, sending to
 * the window, recent documents) comes in as plain functions, so this whole module runs and is
 * tested without Electron, against the real engine (test/integration/desktop-host.test.ts).
 *
 * Payloads reach these handlers only after dispatch.ts checked the sender and validate.ts the
 * shape. Paths are checked here against the grants: the window can name a path only after main
 * was given it by the user or the system (a dialog, a file association, the command line, an
 * earlier folder grant still in date), and the engine runs with no roots of its own. No request
 * of the window grants a path: a file dropped on the window arrives as its bytes, since main
 * cannot tell a real drop from a compromised page naming any path it likes.
 */
import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ApiError, AppInfo, BatchJobSpec, FolderListing, ImageInfo, JobSpec, JobStreamEvent, TrainJobSpec } from '../shared/api.js';
import type { ClientJob, EngineClient } from '../host/client.js';
import { EngineError, toApiError } from '../host/errors.js';
import { exportTempFolder, writeUpload } from '../host/host.js';
import { WORKSPACE_BATCH_PREFIX } from '../host/layout.js';
import type { Grants } from './grants.js';
import type { EventChannel, EventPayloads, InvokeChannel } from './ipc-contract.js';
import type { Outcome } from './progress.js';
import type { Validated } from './validate.js';

/** Native dialogs (dialogs.ts shows them on the app's window). Undefined / [] = cancelled. */
export interface Dialogs {
  openImages(): Promise<string[]>;
  chooseFolder(purpose: 'input' | 'output' | 'train'): Promise<string | undefined>;
  saveFile(opts: { defaultName: string; kind: 'image' | 'model'; format?: string }): Promise<string | undefined>;
}

export interface DesktopHostOptions {
  engine: EngineClient;
  workspaceDir: string;
  grants: Grants;
  dialogs: Dialogs;
  /** Sends an event to the app's window (nothing when it is gone). */
  send<C extends EventChannel>(channel: C, payload: EventPayloads[C]): void;
  /** A file was opened: recent documents (app.addRecentDocument and the File menu). */
  opened?(file: string): void;
  /** A folder was chosen in a dialog (remembered for later sessions). */
  folderChosen?(folder: string): void;
  /** Job life cycle, for the taskbar progress and the end-of-job notification. */
  jobs?: {
    started(id: string, spec: JobSpec): void;
    event(id: string, e: JobStreamEvent): void;
    ended(id: string, outcome: Outcome): void;
  };
}

const EXTENSIONS: Record<string, string> = { jpeg: '.jpg', png: '.png', tiff: '.tif', webp: '.webp', avif: '.avif' };

/** The export's suggested name with the format's extension (the save dialog's default). */
export function exportDefaultName(fileName: string, format: string): string {
  const base = (path.basename(fileName.replace(/\\/g, '/')).trim() || 'image.mend').replace(/\.(jpe?g|png|tiff?|webp|avif|hei[cf])$/i, '');
  return `${base || 'image.mend'}${EXTENSIONS[format] ?? `.${format}`}`;
}

export type Handlers = { [C in InvokeChannel]: (payload: Validated<C>) => Promise<unknown> };

export class DesktopHost {
  private readonly jobs = new Map<string, ClientJob>();
  private ready = false;
  private readonly queued: { images: ImageInfo[]; failures: ApiError[] }[] = [];

  constructor(private readonly o: DesktopHostOptions) {}

  /**
   * Opens files the system or the user handed to the app (argv, open-file, second instance,
   * File > Open, Open Recent): grants them, opens each in the engine and tells the window,
   * or queues the result until the window listens.
   */
  async openFiles(files: readonly string[]): Promise<{ images: ImageInfo[]; failures: ApiError[] }> {
    const images: ImageInfo[] = [];
    const failures: ApiError[] = [];
    for (const f of files) {
      try {
        const real = await this.o.grants.grantFile(f);
        images.push(await this.o.engine.call('openPath', real));
        this.o.opened?.(real);
      } catch (e) {
        const err = toApiError(e);
        failures.push({ code: err.code, message: err.message.includes(path.basename(f)) ? err.message : `${path.basename(f)}: ${err.message}` });
      }
    }
    const result = { images, failures };
    if (images.length || failures.length) {
      if (this.ready) this.o.send('mend:opened', result);
      else this.queued.push(result);
    }
    return result;
  }

  /** File > Open: the native dialog, then openFiles. */
  async openWithDialog(): Promise<void> {
    const files = await this.o.dialogs.openImages();
    if (files.length) await this.openFiles(files);
  }

  /** The window was reloaded or closed: it listens again only after it says so. */
  windowGone(): void {
    this.ready = false;
  }

  private async checkJobPaths(spec: JobSpec): Promise<JobSpec> {
    const g = this.o.grants;
    if (spec.type === 'batch') {
      const s: BatchJobSpec = { ...spec };
      if (s.paths) s.paths = await Promise.all(s.paths.map((p) => g.check(p, 'Input')));
      if (s.outDir !== undefined && !s.outDir.startsWith(WORKSPACE_BATCH_PREFIX)) s.outDir = await g.check(s.outDir, 'Output folder');
      return s;
    }
    if (spec.type === 'train') {
      const s: TrainJobSpec = { ...spec };
      if (s.paths) s.paths = await Promise.all(s.paths.map((p) => g.check(p, 'Training folder')));
      return s;
    }
    // The autoencoder lab: its folders and files are inputs like a batch's.
    if (spec.type === 'lab-compare' || spec.type === 'dust') {
      const s = { ...spec };
      if (s.paths) s.paths = await Promise.all(s.paths.map((p) => g.check(p, 'Input')));
      return s;
    }
    if (spec.type === 'similar-index' || spec.type === 'similar-find') {
      const s = { ...spec };
      if (s.path !== undefined) s.path = await g.check(s.path, s.type === 'similar-index' ? 'Folder' : 'Image');
      if (s.type === 'similar-find' && s.index !== 'workspace') s.index = await g.check(s.index, 'Indexed folder');
      return s;
    }
    return spec;
  }

  private async startJob(id: string, raw: JobSpec): Promise<{ id: string }> {
    if (this.jobs.has(id)) throw new EngineError('usage', 'A job with this id is already running');
    const spec = await this.checkJobPaths(raw);
    const tracker = this.o.jobs;
    tracker?.started(id, spec);
    const job = this.o.engine.startJob(spec, (event) => {
      tracker?.event(id, event);
      this.o.send('mend:job-event', { job: id, event });
    }, id);
    this.jobs.set(id, job);
    job.done.then(
      (result) => {
        tracker?.ended(id, { ok: true, result });
        this.o.send('mend:job-end', { job: id, ok: true, result });
      },
      (e: unknown) => {
        const error = toApiError(e);
        tracker?.ended(id, { ok: false, error });
        this.o.send('mend:job-end', { job: id, ok: false, error });
      },
    ).finally(() => this.jobs.delete(id));
    return { id };
  }

  private async addUpload(name: string, data: Uint8Array): Promise<ImageInfo> {
    const file = await writeUpload(this.o.workspaceDir, 'upload', data);
    try {
      return await this.o.engine.call('addImage', name, file);
    } finally {
      // The engine moved it into place; what is left is a failed upload.
      await rm(file, { force: true });
    }
  }

  private async browse(p?: string): Promise<FolderListing> {
    if (p === undefined) {
      const folders = this.o.grants.folderList;
      return { path: '', entries: folders.map((f) => ({ name: path.basename(f) || f, path: f, kind: 'dir' as const })) };
    }
    return this.o.engine.call('browse', await this.o.grants.check(p, 'Folder'));
  }

  readonly handlers: Handlers = {
    'mend:info': async (): Promise<AppInfo> => ({ ...(await this.o.engine.call('info')), mode: 'desktop', roots: [] }),
    'mend:add-image-bytes': ({ name, data }) => this.addUpload(name, data),
    'mend:open-path': async ({ path: p }) => this.o.engine.call('openPath', await this.o.grants.check(p, 'File')),
    'mend:remove-image': ({ id }) => this.o.engine.call('removeImage', id),
    'mend:compare': ({ reference, image, mask }) => this.o.engine.call('compare', reference, image, mask),
    'mend:browse': ({ path: p }) => this.browse(p),
    'mend:job-start': ({ id, spec }) => this.startJob(id, spec),
    'mend:job-control': async ({ id, action }) => {
      const job = this.jobs.get(id);
      if (!job) return; // it ended already
      await job[action]();
    },
    'mend:export-image': async ({ opts }) => {
      const target = await this.o.dialogs.saveFile({ defaultName: exportDefaultName(opts.fileName, opts.format), kind: 'image', format: opts.format });
      if (!target) throw new EngineError('cancelled', 'Export cancelled');
      const file = path.extname(target) ? target : `${target}${EXTENSIONS[opts.format] ?? ''}`;
      const out = await this.o.engine.call('exportImage', opts, file);
      return out.fileName;
    },
    'mend:list-models': () => this.o.engine.call('listModels'),
    'mend:list-presets': () => this.o.engine.call('listPresets'),
    'mend:save-preset': ({ preset }) => this.o.engine.call('savePreset', preset),
    'mend:delete-preset': ({ name }) => this.o.engine.call('deletePreset', name),
    'mend:model-details': ({ id }) => this.o.engine.call('modelDetails', id),
    'mend:rename-model': ({ id, name }) => this.o.engine.call('renameModel', id, name),
    'mend:delete-model': ({ id }) => this.o.engine.call('deleteModel', id),
    'mend:import-model-bytes': async ({ name, data }) => {
      const file = await writeUpload(this.o.workspaceDir, 'model', data);
      try {
        return await this.o.engine.call('importModel', name, file);
      } finally {
        await rm(file, { force: true });
      }
    },
    'mend:export-model': async ({ id }) => {
      const target = await this.o.dialogs.saveFile({ defaultName: `${id}.mendmodel`, kind: 'model' });
      if (!target) throw new EngineError('cancelled', 'Export cancelled');
      const out = await this.o.engine.call('exportModel', id);
      try {
        await copyFile(out.file, target);
      } catch (e) {
        throw new EngineError('unwritable', `Cannot write ${target}: ${(e as Error).message}`);
      } finally {
        const tmp = exportTempFolder(this.o.workspaceDir, out.file);
        if (tmp) await rm(tmp, { recursive: true, force: true });
      }
      return path.basename(target);
    },
    'mend:choose-folder': async ({ purpose }) => {
      const chosen = await this.o.dialogs.chooseFolder(purpose);
      if (!chosen) return undefined;
      const real = await this.o.grants.grantFolder(chosen);
      this.o.folderChosen?.(real);
      return real;
    },
    'mend:ready': async () => {
      this.ready = true;
      for (const q of this.queued.splice(0)) this.o.send('mend:opened', q);
    },
  };
}
