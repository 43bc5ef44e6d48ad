// A real `mend serve` (bin/mend.js -> dist/) for integration tests, and a small reader for its
// server-sent event streams (Node 20 has no EventSource).
import { spawn, type ChildProcess } from 'node:child_process';
import { MEND_BIN, REPO_ROOT } from './cli.js';

export interface Served {
  url: string;
  origin: string;
  token: string;
  child: ChildProcess;
  output(): string;
  /** Ctrl-C, then waits for the exit code. */
  stop(): Promise<number | null>;
}

export function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [MEND_BIN, 'serve', '--port', '0', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mend serve printed no URL within 30 s:\n${out}`)), 30_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /(http:\/\/[^\s#]+)\/#token=([A-Za-z0-9_-]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stdout!.on('data', (x: Buffer) => (out += x.toString()));
      resolve({
        url: `${m[1]}/#token=${m[2]}`,
        origin: m[1]!,
        token: m[2]!,
        child,
        output: () => out,
        stop: () => {
          if (child.exitCode === null) child.kill('SIGINT');
          const hard = setTimeout(() => child.kill('SIGKILL'), 10_000);
          return exited.finally(() => clearTimeout(hard));
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mend serve exited with ${code} before printing a URL:\n${out}`));
    });
  });
}

export interface SseMessage {
  id?: string;
  event: string;
  data: unknown;
}

/** Reads an SSE stream until a 'result' or 'failure' event (or the stream ends). */
export async function readEvents(url: string, onMessage?: (m: SseMessage) => void, headers: Record<string, string> = {}): Promise<SseMessage[]> {
  const res = await fetch(url, { headers: { Accept: 'text/event-stream', ...headers } });
  if (!res.ok || !res.body) throw new Error(`SSE ${url}: HTTP ${res.status} ${await res.text()}`);
  const messages: SseMessage[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  const reader = res.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue;
        const [k, ...rest] = line.split(':');
        const v = rest.join(':').replace(/^ /, '');
        if (k === 'event') event = v;
        else if (k === 'data') data.push(v);
        else if (k === 'id') id = v;
      }
      if (data.length === 0) continue;
      const m: SseMessage = { event, data: JSON.parse(data.join('\n')), ...(id ? { id } : {}) };
      messages.push(m);
      onMessage?.(m);
      if (event === 'result' || event === 'failure') {
        await reader.cancel();
        return messages;
      }
    }
  }
  return messages;
}
