/**
 * The request schemas (valibot): one declaration per request, the types in shared/api.ts are
 * derived from them. See jobs.ts (the jobs), requests.ts (the other bodies), ipc.ts (the desktop
 * channels), parse.ts (checking, with one-line reasons; its callers import it directly).
 */
export * from './fields.js';
export * from './jobs.js';
export * from './requests.js';
