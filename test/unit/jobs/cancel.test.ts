import { describe, expect, it } from 'vitest';
import { throwIfCancelled } from '../../../src-main/core/jobs/cancel.js';

describe('throwIfCancelled', () => {
  it('throws a cancelled error only once aborted', () => {
    const c = new AbortController();
    expect(() => throwIfCancelled(c.signal)).not.toThrow();
    c.abort();
    expect(() => throwIfCancelled(c.signal)).toThrow(expect.objectContaining({ code: 'cancelled' }));
  });
});
