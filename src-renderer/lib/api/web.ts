/**
 * The web bridge: MendApi over HTTP + server-sent events against `mend serve`
 * (src-main/server/routes.ts is the other side; keep the two in step).
 *
 * The access token arrives in the address bar (`#token=...`, printed by `mend serve`). It is
 * kept in sessionStorage (survives a reload, not shared with other tabs' sessions after close)
 * and removed from the address bar so it does not end up in bookmarks or screenshots. Calls send
 * it as a Bearer header; URLs the browser fetches by itself (<img src>, EventSource, downloads by
 * URL) carry it in the query string, because those cannot set headers.
 *
 * Every failure becomes an ApiError {code, message} (an Error subclass, so it has a stack too).
 */
import type {
  ApiError,
  AppInfo,
  BatchPreset,
  ExportOptions,
  FolderListing,
  ImageComparison,
  ImageId,
  ImageInfo,
  ImageVariant,
  JobHandle,
  JobId,
  JobResultFor,
  JobSpec,
  JobStreamEvent,
  MendApi,
  ModelDetails,
  ModelSummary,
} from '../../../src-main/shared/api.js';

const TOKEN_KEY = 'mend.token';

/** An ApiError that is also an Error; `code` and `message` are enumerable, so it spreads and logs well. */
export class WebApiError extends Error implements ApiError {
  readonly code: ApiError['code'];
  constructor(code: ApiError['code'], message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    Object.defineProperty(this, 'message', { value: message, enumerable: true, writable: true, configurable: true });
  }
}

function toApiError(body: unknown, fallback: string): WebApiError {
  const b = body as Partial<ApiError> | null;
  if (b && typeof b.code === 'string' && typeof b.message === 'string') return new WebApiError(b.code as ApiError['code'], b.message);
  return new WebApiError('internal', fallback);
}

/** Takes the token from `#token=` or `?token=`, stores it, and strips it from the address bar. */
function takeToken(): string {
  let stored: string | null = null;
  try {
    stored = sessionStorage.getItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled; the token then lives only in this page's memory.
  }
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const query = new URLSearchParams(location.search);
  const fresh = hash.get('token') ?? query.get('token');
  if (!fresh) return stored ?? '';
  try {
    sessionStorage.setItem(TOKEN_KEY, fresh);
  } catch {
    // see above
  }
  hash.delete('token');
  query.delete('token');
  const search = query.toString();
  const rest = hash.toString();
  try {
    history.replaceState(history.state, '', `${location.pathname}${search ? `?${search}` : ''}${rest ? `#${rest}` : ''}`);
  } catch {
    // Some embedders forbid history changes; the token then stays visible, which is harmless.
  }
  return fresh;
}

/** `attachment; filename*=UTF-8''...` (preferred) or `filename="..."`. */
function fileNameFrom(disposition: string | null, fallback: string): string {
  if (!disposition) return fallback;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(disposition) ?? /filename\s*=\s*([^;]+)/i.exec(disposition);
  return plain ? plain[1].trim() : fallback;
}

/** Saves a response body as a file through a temporary <a download>. */
async function saveDownload(res: Response, fallback: string): Promise<string> {
  const name = fileNameFrom(res.headers.get('content-disposition'), fallback);
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started by now; the URL is kept a while for slow browsers.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return name;
}

export function createWebApi(): MendApi {
  const token = takeToken();
  // Relative to the page, so a reverse proxy that mounts the app under a prefix still works.
  const base = new URL('api/', document.baseURI);

  const url = (path: string, params: Record<string, string | number | undefined> = {}, withToken = false): string => {
    const u = new URL(path, base);
    for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, String(v));
    if (withToken && token) u.searchParams.set('token', token);
    return u.toString();
  };

  async function request(method: string, path: string, opts: { params?: Record<string, string | number | undefined>; json?: unknown; body?: Blob } = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.body) {
      headers['Content-Type'] = 'application/octet-stream';
      body = opts.body;
    }
    let res: Response;
    try {
      res = await fetch(url(path, opts.params), { method, headers, body, cache: 'no-store', credentials: 'omit' });
    } catch (e) {
      throw new WebApiError('internal', `Cannot reach mend serve (${(e as Error).message || 'network error'}); is it still running?`);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: a proxy's error page, say
      }
      throw toApiError(parsed, `mend serve answered ${res.status} ${res.statusText}`.trim());
    }
    return res;
  }

  async function json<T>(method: string, path: string, opts: Parameters<typeof request>[2] = {}): Promise<T> {
    const res = await request(method, path, opts);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  const id = (s: string): string => encodeURIComponent(s);

  async function startJob<S extends JobSpec>(spec: S, onEvent: (e: JobStreamEvent) => void): Promise<JobHandle<S>> {
    const { id: jobId } = await json<{ id: JobId }>('POST', 'jobs', { json: spec });
    const done = new Promise<JobResultFor<S>>((resolve, reject) => {
      const es = new EventSource(url(`jobs/${id(jobId)}/events`, {}, true));
      const deliver = (data: string): void => {
        try {
          onEvent(JSON.parse(data) as JobStreamEvent);
        } catch (e) {
          // A throwing listener must not end the job's stream.
          console.error(e);
        }
      };
      es.addEventListener('job', (m) => deliver((m as MessageEvent<string>).data));
      es.addEventListener('result', (m) => {
        es.close();
        resolve(JSON.parse((m as MessageEvent<string>).data) as JobResultFor<S>);
      });
      // Named 'failure', not 'error': EventSource fires 'error' itself for connection problems.
      es.addEventListener('failure', (m) => {
        es.close();
        reject(toApiError(JSON.parse((m as MessageEvent<string>).data), 'The job failed'));
      });
      es.onerror = () => {
        // CONNECTING: the browser retries by itself and the server replays from Last-Event-ID.
        // CLOSED: the server refused (job unknown after a restart, token gone): give up.
        if (es.readyState === EventSource.CLOSED) {
          reject(new WebApiError('engine-crashed', 'Lost the connection to mend serve while the job was running'));
        }
      };
    });
    // Callers that only use onEvent must not get an "unhandled rejection" in the console.
    done.catch(() => undefined);
    const control = (action: 'cancel' | 'pause' | 'resume') => async (): Promise<void> => {
      await json<void>('POST', `jobs/${id(jobId)}/${action}`);
    };
    return { id: jobId, done, cancel: control('cancel'), pause: control('pause'), resume: control('resume') };
  }

  return {
    info: () => json<AppInfo>('GET', 'info'),
    addImage: (name: string, data: Blob) => json<ImageInfo>('POST', 'images', { params: { name }, body: data }),
    openPath: (path: string) => json<ImageInfo>('POST', 'images/open', { json: { path } }),
    imageUrl: (image: ImageId, variant: ImageVariant = 'view') => url(`images/${id(image)}/${variant}`, {}, true),
    diffUrl: (a: ImageId, b: ImageId, gain: number) => url('diff', { a, b, gain }, true),
    removeImage: (image: ImageId) => json<void>('DELETE', `images/${id(image)}`),
    compare: (reference: ImageId, image: ImageId, mask?: ImageId) =>
      json<ImageComparison>('POST', 'compare', { json: { reference, image, mask } }),
    browse: (path?: string) => json<FolderListing>('GET', 'browse', { params: { path } }),
    startJob,
    exportImage: async (opts: ExportOptions) => saveDownload(await request('POST', 'export', { json: opts }), opts.fileName),
    batchOutputUrl: (outDir: string, name: string) => url('batch-output', { dir: outDir, name }, true),
    listModels: () => json<ModelSummary[]>('GET', 'models'),
    modelDetails: (model: string) => json<ModelDetails>('GET', `models/${id(model)}`),
    renameModel: (model: string, name: string) => json<ModelSummary>('POST', `models/${id(model)}/rename`, { json: { name } }),
    deleteModel: (model: string) => json<void>('DELETE', `models/${id(model)}`),
    importModel: (name: string, data: Blob) => json<ModelSummary>('POST', 'models/import', { params: { name }, body: data }),
    exportModel: async (model: string) => saveDownload(await request('GET', `models/${id(model)}/export`), `${model}.mendmodel`),
    listPresets: () => json<BatchPreset[]>('GET', 'presets'),
    savePreset: (preset: BatchPreset) => json<BatchPreset[]>('POST', 'presets', { json: preset }),
    deletePreset: (name: string) => json<BatchPreset[]>('DELETE', `presets/${id(name)}`),
    makeFolder: async (parent: string, name: string) => (await json<{ path: string }>('POST', 'folders', { json: { parent, name } })).path,
  };
}
