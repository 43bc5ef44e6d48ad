/** `mend serve`: the interface in a browser, on this machine or (with --host) on the network. */
import { spawn } from 'node:child_process';
import { startServer } from '../../server/server.js';
import { isLoopback } from '../../server/auth.js';
import { num, parse } from '../args.js';
import type { CommandContext } from '../context.js';

export const serveHelp = `mend serve [--port N] [--host ADDR] [--root DIR]... [--open]
  Serves the Mend interface to a web browser (web mode).
  --port N       port to listen on (default 7860; 0 = any free port)
  --host ADDR    address to listen on (default 127.0.0.1: this machine only)
  --root DIR     a server folder the browser may open, browse and write to (repeatable);
                 without one, images can only be uploaded and results downloaded
  --open         open the address in the default browser
  The address printed carries a random access token (#token=...): share it only with people
  who may use this machine's files under the roots.`;

/** Opens a URL in the desktop's browser; failures are not errors (the URL is printed anyway). */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]]
    : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]]
    : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => console.error(`mend serve: could not open a browser; open ${url} yourself`));
    child.unref();
  } catch {
    // printed below anyway
  }
}

export async function serveCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v } = parse(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    root: { type: 'string', multiple: true },
    open: { type: 'boolean' },
  }, false);
  const port = num(v.port, 'port', 7860, { min: 0, max: 65535, int: true });
  const host = v.host ?? '127.0.0.1';
  const server = await startServer({ port, host, roots: v.root ?? [] });
  const lines = [`Mend is running at ${server.url}`];
  if (server.roots.length > 0) lines.push(`Shared folders: ${server.roots.join(', ')}`);
  else lines.push('No server folders shared (add --root DIR to open and save files on this machine).');
  lines.push('Press Ctrl-C to stop.');
  console.log(lines.join('\n'));
  if (!isLoopback(host)) {
    console.error(`mend serve: warning: listening on ${host}, so other machines can reach Mend. Anyone with the address (it holds the access token) ` +
      'can use it and the files under the --root folders, and plain HTTP is not encrypted: use it only on a network you trust.');
  }
  if (v.open) openBrowser(server.url);

  // Ctrl-C (main.ts turns it into this signal's abort): stop the engine, remove the workspace.
  await new Promise<void>((resolve) => {
    const signal = ctx.job.signal;
    if (!signal || signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  console.log('Stopping mend serve...');
  await server.close();
  return 0;
}
