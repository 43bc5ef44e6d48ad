/**
 * The /api/* routes: MendApi over HTTP (src-renderer/lib/api/web.ts is the other side).
 *
 *   GET    /api/info                          AppInfo
 *   POST   /api/images?name=N      (bytes)    ImageInfo          upload (LIMITS.maxUploadBytes)
 *   POST   /api/images/open        {path}     ImageInfo          server path, under --root
 *   GET    /api/images/:id/view | /thumb      view.png | thumb.jpg
 *   DELETE /api/images/:id                    204
 *   GET    /api/diff?a&b&gain                 PNG of |b - a| * gain
 *   POST   /api/compare  {reference, image, mask?}   ImageComparison
 *   GET    /api/browse?path=P                 FolderListing      under --root
 *   POST   /api/folders  {parent, name}       {path}             a new folder, under --root
 *   GET    /api/presets                       BatchPreset[]      batch presets (core/batch/presets.ts)
 *   POST   /api/presets          BatchPreset  BatchPreset[]      saves (replaces by name)
 *   DELETE /api/presets/:name                 BatchPreset[]
 *   POST   /api/jobs               JobSpec    {id}
 *   GET    /api/jobs/:id/events               server-sent events (job-hub.ts)
 *   POST   /api/jobs/:id/cancel | pause | resume     204
 *   POST   /api/export           ExportOptions       the encoded file, as an attachment
 *   GET    /api/batch-output?dir&name         a batch output file, as an attachment
 *   GET    /api/models                        ModelSummary[]
 *   POST   /api/models/import?name=N  (bytes) ModelSummary
 *   GET    /api/models/:id                    ModelDetails
 *   POST   /api/models/:id/rename  {name}     ModelSummary
 *   DELETE /api/models/:id                    204
 *   GET    /api/models/:id/export             the .mendmodel file, as an attachment
 *
 * JSON bodies are checked against their request's schema (shared/schema/, as the desktop app's
 * IPC is): a malformed one is refused with 400 and a one-line reason before the engine sees it.
 * Paths in bodies and queries are checked against the roots by the engine (host/roots.ts).
 */
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type * as v from 'valibot';
import { LIMITS } from '../shared/api.js';
import { CompareSchema, ExportOptionsSchema, JobSpecSchema, OpenPathSchema, RenameModelSchema } from '../shared/schema/index.js';
import { checkRequest } from '../shared/schema/parse.js';
import { BatchPresetSchema, MakeFolderSchema } from '../shared/schema/presets.js';
import type { EngineClient } from '../host/client.js';
import { exportTempFolder, uploadPath as hostUploadPath } from '../host/host.js';
import { variantFile } from '../host/layout.js';
import { httpError, readJson, receiveFile, sendFile, sendJson, sendNoContent } from './http.js';
import type { JobHub } from './job-hub.js';

export interface RouteContext {
  engine: EngineClient;
  hub: JobHub;
  workspaceDir: string;
  roots: string[];
}

interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
}

type Handler = (r: Request, c: RouteContext) => Promise<void>;

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || !v) throw httpError('usage', `${what} is missing`);
  return v;
};

const body = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
  const b = await readJson(req);
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw httpError('usage', 'The request body must be a JSON object');
  return b as Record<string, unknown>;
};

/** A JSON body of exactly the request's schema (shared/schema/), or 400 with the one-line reason. */
const bodyOf = async <S extends v.GenericSchema>(req: IncomingMessage, schema: S): Promise<v.InferOutput<S>> => {
  const r = checkRequest(schema, await body(req), 'the body');
  if (!r.ok) throw httpError('usage', `Refused the request: ${r.reason}`);
  return r.value;
};

/** A temp file in the workspace for an upload in flight (the engine moves it into place). */
const uploadPath = (c: RouteContext, prefix: string): string => hostUploadPath(c.workspaceDir, prefix);

/** Files the engine wrote for us to send (exports) live in their own temp folder: removed after sending. */
const tempFolderOf = (c: RouteContext, file: string): string | undefined => exportTempFolder(c.workspaceDir, file);

const IMAGE_CACHE = { 'Cache-Control': 'private, max-age=86400, immutable' };

const routes: [string, RegExp, Handler][] = [
  ['GET', /^\/api\/info$/, async ({ res }, c) => {
    const info = await c.engine.call('info');
    sendJson(res, 200, { ...info, mode: 'web', roots: c.roots });
  }],
  ['POST', /^\/api\/images$/, async ({ req, res, url }, c) => {
    const name = url.searchParams.get('name') || 'image';
    const file = uploadPath(c, 'upload');
    await receiveFile(req, file, LIMITS.maxUploadBytes);
    sendJson(res, 200, await c.engine.call('addImage', name, file));
  }],
  ['POST', /^\/api\/images\/open$/, async ({ req, res }, c) => {
    const b = await bodyOf(req, OpenPathSchema);
    sendJson(res, 200, await c.engine.call('openPath', b.path));
  }],
  ['GET', /^\/api\/images\/([^/]+)\/(view|thumb)$/, async ({ req, res, params }, c) => {
    // Straight from disk: showing an image never waits for a busy engine.
    const file = variantFile(c.workspaceDir, params[0]!, params[1] as 'view' | 'thumb');
    await sendFile(req, res, file, { headers: IMAGE_CACHE });
  }],
  ['DELETE', /^\/api\/images\/([^/]+)$/, async ({ res, params }, c) => {
    await c.engine.call('removeImage', params[0]!);
    sendNoContent(res);
  }],
  ['GET', /^\/api\/diff$/, async ({ req, res, url }, c) => {
    const q = url.searchParams;
    const gain = Number(q.get('gain') ?? '1');
    const file = await c.engine.call('diffImage', str(q.get('a'), 'Image a'), str(q.get('b'), 'Image b'), gain);
    await sendFile(req, res, file, { headers: IMAGE_CACHE });
  }],
  ['POST', /^\/api\/compare$/, async ({ req, res }, c) => {
    const b = await bodyOf(req, CompareSchema);
    sendJson(res, 200, await c.engine.call('compare', b.reference, b.image, b.mask));
  }],
  ['GET', /^\/api\/browse$/, async ({ res, url }, c) => {
    sendJson(res, 200, await c.engine.call('browse', url.searchParams.get('path') || undefined));
  }],
  ['POST', /^\/api\/folders$/, async ({ req, res }, c) => {
    const b = await bodyOf(req, MakeFolderSchema);
    sendJson(res, 200, { path: await c.engine.call('makeFolder', b.parent, b.name) });
  }],
  ['GET', /^\/api\/presets$/, async ({ res }, c) => {
    sendJson(res, 200, await c.engine.call('listPresets'));
  }],
  ['POST', /^\/api\/presets$/, async ({ req, res }, c) => {
    sendJson(res, 200, await c.engine.call('savePreset', await bodyOf(req, BatchPresetSchema)));
  }],
  ['DELETE', /^\/api\/presets\/([^/]+)$/, async ({ res, params }, c) => {
    sendJson(res, 200, await c.engine.call('deletePreset', params[0]!));
  }],
  ['POST', /^\/api\/jobs$/, async ({ req, res }, c) => {
    const spec = await bodyOf(req, JobSpecSchema);
    sendJson(res, 200, { id: c.hub.start(spec) });
  }],
  ['GET', /^\/api\/jobs\/([^/]+)\/events$/, async ({ req, res, url, params }, c) => {
    const last = Number(req.headers['last-event-id'] ?? url.searchParams.get('lastEventId') ?? 0);
    c.hub.subscribe(req, res, params[0]!, Number.isFinite(last) ? last : 0);
  }],
  ['POST', /^\/api\/jobs\/([^/]+)\/(cancel|pause|resume)$/, async ({ res, params }, c) => {
    await c.hub.control(params[0]!, params[1] as 'cancel' | 'pause' | 'resume');
    sendNoContent(res);
  }],
  ['POST', /^\/api\/export$/, async ({ req, res }, c) => {
    const opts = await bodyOf(req, ExportOptionsSchema);
    const out = await c.engine.call('exportImage', opts);
    await sendFile(req, res, out.file, { downloadName: out.fileName, headers: { 'Cache-Control': 'no-store' }, removeAfter: tempFolderOf(c, out.file) });
  }],
  ['GET', /^\/api\/batch-output$/, async ({ req, res, url }, c) => {
    const name = str(url.searchParams.get('name'), 'The file name');
    const file = await c.engine.call('batchOutputFile', str(url.searchParams.get('dir'), 'The batch folder'), name);
    await sendFile(req, res, file, { downloadName: path.posix.basename(name), headers: { 'Cache-Control': 'no-store' } });
  }],
  ['GET', /^\/api\/models$/, async ({ res }, c) => {
    sendJson(res, 200, await c.engine.call('listModels'));
  }],
  ['POST', /^\/api\/models\/import$/, async ({ req, res, url }, c) => {
    const name = url.searchParams.get('name') || 'model.mendmodel';
    const file = uploadPath(c, 'model');
    await receiveFile(req, file, LIMITS.maxUploadBytes);
    try {
      sendJson(res, 200, await c.engine.call('importModel', name, file));
    } finally {
      await rm(file, { force: true });
    }
  }],
  ['GET', /^\/api\/models\/([^/]+)$/, async ({ res, params }, c) => {
    sendJson(res, 200, await c.engine.call('modelDetails', params[0]!));
  }],
  ['POST', /^\/api\/models\/([^/]+)\/rename$/, async ({ req, res, params }, c) => {
    const b = await bodyOf(req, RenameModelSchema);
    sendJson(res, 200, await c.engine.call('renameModel', params[0]!, b.name));
  }],
  ['DELETE', /^\/api\/models\/([^/]+)$/, async ({ res, params }, c) => {
    await c.engine.call('deleteModel', params[0]!);
    sendNoContent(res);
  }],
  ['GET', /^\/api\/models\/([^/]+)\/export$/, async ({ req, res, params }, c) => {
    const out = await c.engine.call('exportModel', params[0]!);
    await sendFile(req, res, out.file, { downloadName: out.fileName, headers: { 'Cache-Control': 'no-store' }, removeAfter: tempFolderOf(c, out.file) });
  }],
];

/** Dispatches one authenticated /api/ request. Throws EngineError for the caller to send. */
export async function routeApi(req: IncomingMessage, res: ServerResponse, url: URL, c: RouteContext): Promise<void> {
  const allowed: string[] = [];
  for (const [method, pattern, handler] of routes) {
    const m = pattern.exec(url.pathname);
    if (!m) continue;
    if (method !== req.method && !(method === 'GET' && req.method === 'HEAD')) {
      allowed.push(method);
      continue;
    }
    let params: string[];
    try {
      params = m.slice(1).map((p) => decodeURIComponent(p));
    } catch {
      throw httpError('usage', 'Bad characters in the address');
    }
    await handler({ req, res, url, params }, c);
    return;
  }
  if (allowed.length > 0) {
    res.setHeader('Allow', allowed.join(', '));
    sendJson(res, 405, { code: 'usage', message: `${req.method} is not allowed on ${url.pathname}` });
    return;
  }
  throw httpError('not-found', `No such API route: ${req.method} ${url.pathname}`);
}
