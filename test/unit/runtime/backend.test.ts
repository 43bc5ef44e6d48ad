import { describe, expect, it } from 'vitest';
import { parseBackendName, initBackend, backendStatus, BACKEND_ORDER } from '../../../src-main/core/runtime/backend.js';

describe('backend choice', () => {
  it('parses backend names and refuses unknown ones as a usage error', () => {
    expect(parseBackendName(' WASM ')).toBe('wasm');
    expect(() => parseBackendName('quantum')).toThrow(expect.objectContaining({ code: 'usage' }));
  });

  it('picks the fastest backend that loads and explains each one it passed over', async () => {
    const status = await initBackend();
    expect(backendStatus()).toBe(status);
    const order = BACKEND_ORDER.indexOf(status.active);
    // Every backend before the active one was tried and has a reason; none after it was tried.
    expect(status.skipped.map((s) => s.name)).toEqual(BACKEND_ORDER.slice(0, order));
    for (const s of status.skipped) expect(s.reason.length).toBeGreaterThan(10);
    // This machine has neither tfjs-node package (their install needs internet): say so.
    if (status.active === 'wasm') expect(status.skipped[0].reason).toMatch(/tfjs-node-gpu/);
  });
});
