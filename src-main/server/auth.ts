/**
 * Who may talk to `mend serve`.
 *
 *  - A random access token, printed in the URL (`#token=...`: the fragment never reaches server
 *    logs or Referer headers). Every /api/ request must carry it, as `Authorization: Bearer` or,
 *    for what the browser fetches by itself (<img src>, EventSource), a `token` query parameter.
 *    Compared in constant time (on fixed-length digests, so the length does not leak either).
 *  - The Host header must name this server (the bound address, or localhost for a loopback
 *    bind): a DNS-rebinding page on evil.example that resolves to 127.0.0.1 sends
 *    `Host: evil.example` and is refused, even before the token is checked.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import os from 'node:os';

/** 32 URL-safe characters (192 bits). */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function tokenMatches(given: string | undefined, token: string): boolean {
  if (!given) return false;
  return timingSafeEqual(digest(given), digest(token));
}

export function tokenFrom(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return url.searchParams.get('token') ?? undefined;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** Splits a Host header into a lower-case name (IPv6 without brackets) and a port. */
function parseHost(header: string): { name: string; port: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!m) return undefined;
  return { name: m[1]!.replace(/^\[|\]$/g, '').toLowerCase(), port: m[2] ? Number(m[2]) : 80 };
}

/**
 * The Host-header check for a server bound to `host`:`port`. Loopback binds accept the loopback
 * names; a wildcard bind (0.0.0.0) also accepts IP literals and this machine's own name, since
 * other machines reach it that way.
 */
export function hostChecker(host: string, port: number): (header: string | undefined) => boolean {
  const names = new Set(['localhost', '127.0.0.1', '::1', host.replace(/^\[|\]$/g, '').toLowerCase()]);
  const wildcard = isWildcard(host);
  if (wildcard || !isLoopback(host)) {
    const me = os.hostname().toLowerCase();
    names.add(me);
    names.add(`${me}.local`);
  }
  return (header) => {
    if (!header) return false;
    const h = parseHost(header);
    if (!h || h.port !== port) return false;
    return names.has(h.name) || (wildcard && isIP(h.name) !== 0);
  };
}
