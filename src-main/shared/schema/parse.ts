/**
 * Checks a request against its schema and says what is wrong in one short line: "the
 * request.spec has an unexpected key "passes"", "the body.sigma must be "auto" or a number from
 * 0 to 255". Every host turns the refusal into its own error (EngineError 'usage', HTTP 400).
 *
 * Before the schema, the value must be plain data: objects whose prototype is Object.prototype
 * or null, real arrays, primitives and byte buffers; no accessors, no symbol keys and never
 * `__proto__`, `constructor` or `prototype` (prototype pollution). JSON and Electron's structured
 * clone only make such values, so this refuses nothing a real client sends.
 */
import * as v from 'valibot';

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 8;

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'a list';
  return typeof x === 'object' ? 'an object' : typeof x;
}

/** Where `x` is not plain data: [path, why], or undefined. */
function notPlainData(x: unknown, at: string, depth: number): [string, string] | undefined {
  if (x === null || typeof x !== 'object') return typeof x === 'function' || typeof x === 'symbol' ? [at, `must be data, got ${typeof x}`] : undefined;
  if (x instanceof ArrayBuffer || ArrayBuffer.isView(x)) return undefined;
  if (depth > MAX_DEPTH) return [at, 'is nested too deeply'];
  const isArray = Array.isArray(x) && Object.getPrototypeOf(x) === Array.prototype;
  if (!isArray && !isPlainObject(x)) return [at, 'must be plain data, not an object of a class'];
  for (const key of Reflect.ownKeys(x)) {
    if (typeof key !== 'string') return [at, 'has a symbol key'];
    if (isArray && key === 'length') continue;
    if (FORBIDDEN_KEYS.has(key)) return [at, `has the forbidden key "${key}"`];
    const d = Object.getOwnPropertyDescriptor(x, key)!;
    const where = isArray ? `${at}[${key}]` : `${at}.${key.slice(0, 40)}`;
    if (!('value' in d)) return [where, 'is an accessor'];
    const inner = notPlainData(d.value, where, depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

function pathOf(issue: v.BaseIssue<unknown>, at: string, dropLast: boolean): string {
  const items = issue.path ?? [];
  let out = at;
  for (const item of dropLast ? items.slice(0, -1) : items) {
    const key = item.key;
    out += typeof key === 'number' ? `[${key}]` : `.${String(key).slice(0, 40)}`;
  }
  return out;
}

const short = (s: string): string => (s.length > 40 ? `${s.slice(0, 37)}...` : s);

const TYPE_WORDS: Record<string, string> = {
  string: 'text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'an object', strict_object: 'an object',
  literal: 'the value', custom: 'the right kind of value',
};

/** One line for the first thing wrong. */
export function describeIssue(issue: v.BaseIssue<unknown>, at: string): string {
  const received = short(issue.received);
  if (issue.type === 'strict_object' && issue.kind === 'schema' && issue.expected === 'never') {
    return `${pathOf(issue, at, true)} has an unexpected key ${received}`;
  }
  if ((issue.type === 'strict_object' || issue.type === 'object') && issue.received === 'undefined' && issue.path?.length) {
    return `${pathOf(issue, at, false)} is missing`;
  }
  const where = pathOf(issue, at, false);
  if (issue.kind === 'schema' && issue.message.startsWith('Invalid type:')) {
    const wanted = TYPE_WORDS[issue.type] ?? `one of ${issue.expected}`;
    return `${where} must be ${wanted === 'the value' ? issue.expected : wanted}, got ${describeReceived(issue.input, received)}`;
  }
  return `${where} ${issue.message}`;
}

function describeReceived(input: unknown, received: string): string {
  return typeof input === 'object' || input === undefined ? describe(input) : received;
}

/** The value as the schema outputs it, or the first reason it is refused (`at` names the value: "the request", "the body"). */
export function checkRequest<S extends v.GenericSchema>(schema: S, value: unknown, at: string): Checked<v.InferOutput<S>> {
  const plain = notPlainData(value, at, 0);
  if (plain) return { ok: false, reason: `${plain[0]} ${plain[1]}` };
  const r = v.safeParse(schema, value, { abortEarly: true, abortPipeEarly: true });
  if (r.success) return { ok: true, value: r.output };
  return { ok: false, reason: describeIssue(r.issues[0], at) };
}
