/**
 * `mend serve`: the interface in a browser. node:http only. The server itself never loads
 * TensorFlow.js or decodes images: it checks who is asking (auth.ts), serves the built interface
 * (static.ts), streams workspace files, and passes everything else to the engine process
 * (host/client.ts), which it restarts when it dies. The workspace (a temp folder) belongs to
 * the server and is removed on close.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EngineClient } from '../host/client.js';
import { EngineError } from '../host/errors.js';
import { createHostWorkspace } from '../host/host.js';
import { realRoots } from '../host/roots.js';
import { hostChecker, isWildcard, newToken, tokenFrom, tokenMatches } from './auth.js';
import { sendError, sendJson } from './http.js';
import { JobHub } from './job-hub.js';
import { routeApi } from './routes.js';
import { defaultRendererDir, PAGE_HEADERS, serveStatic } from './static.js';

export interface ServeOptions {
  /** 0 = any free port. */
  port: number;
  host: string;
  /** Server folders the browser may read and write (open, browse, batch, train). */
  roots: string[];
  /** The built interface (default dist/renderer). */
  rendererDir?: string;
  /** Engine process options (tests: entry, grace period, environment). */
  engine?: { entry?: string; cancelGraceMs?: number; env?: NodeJS.ProcessEnv; stdio?: 'inherit' | 'ignore' };
  /** A fixed token (tests); default: a fresh random one. */
  token?: string;
}

export interface RunningServer {
  /** http://HOST:PORT/#token=... : what the user opens. */
  url: string;
  origin: string;
  token: string;
  port: number;
  roots: string[];
  workspaceDir: string;
  engine: EngineClient;
  close(): Promise<void>;
}

const UNAUTHORIZED = {
  code: 'unauthorized',
  message: 'Missing or wrong access token: open the address that `mend serve` printed (it ends in #token=...)',
} as const;

function urlHost(host: string): string {
  if (isWildcard(host)) return '127.0.0.1';
  return host.includes(':') ? `[${host.replace(/^\[|\]$/g, '')}]` : host;
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const roots = await realRoots(opts.roots);
  const rendererDir = opts.rendererDir ?? defaultRendererDir();
  // Removed on close(), or when the process exits without it (an uncaught error).
  const workspace = await createHostWorkspace('mend-serve-');
  const workspaceDir = workspace.dir;

  const engine = new EngineClient({ workspaceDir, roots, mode: 'web', ...opts.engine });
  const hub = new JobHub(engine);
  const token = opts.token ?? newToken();
  let hostOk: (h: string | undefined) => boolean = () => false;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Prefixed, not resolved against a base: a path like '//x' must stay a path, not become a host.
    const raw = req.url ?? '/';
    const url = new URL(`http://localhost${raw.startsWith('/') ? raw : `/${raw}`}`);
    const api = url.pathname === '/api' || url.pathname.startsWith('/api/');
    if (!hostOk(req.headers.host)) {
      const message = `Host "${req.headers.host ?? ''}" is not this server: open the address that mend serve printed (DNS rebinding protection)`;
      if (api) sendJson(res, 403, { code: 'forbidden', message });
      else {
        res.writeHead(403, { ...PAGE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(message);
      }
      return;
    }
    if (!api) {
      await serveStatic(req, res, url, rendererDir);
      return;
    }
    if (!tokenMatches(tokenFrom(req, url), token)) {
      req.resume();
      sendJson(res, 401, UNAUTHORIZED);
      return;
    }
    await routeApi(req, res, url, { engine, hub, workspaceDir, roots });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      req.resume();
      sendError(res, e);
    });
  });
  // Large uploads on slow links take a while; SSE responses are not limited by this.
  server.requestTimeout = 30 * 60 * 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (e: NodeJS.ErrnoException) => {
    await workspace.remove();
    const why = e.code === 'EADDRINUSE' ? `port ${opts.port} is in use (try --port 0 for any free port)` : e.code === 'EADDRNOTAVAIL' ? `${opts.host} is not an address of this machine` : e.message;
    throw new EngineError('usage', `Cannot listen on ${opts.host}:${opts.port}: ${why}`);
  });
  const port = (server.address() as AddressInfo).port;
  hostOk = hostChecker(opts.host, port);
  const origin = `http://${urlHost(opts.host)}:${port}`;

  // Start the engine now, so the first action in the browser does not wait for TensorFlow.js.
  engine.call('info').catch(() => undefined);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      hub.close();
      server.close();
      server.closeAllConnections();
      await engine.close();
      await workspace.remove();
    })());

  return { url: `${origin}/#token=${token}`, origin, token, port, roots, workspaceDir, engine, close };
}
