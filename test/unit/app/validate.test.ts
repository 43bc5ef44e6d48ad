// IPC payload validation (src-main/app/validate.ts): every channel takes exactly its shape, and
// hostile payloads (wrong types, huge strings, prototype pollution keys, class instances,
// accessors, traversal in ids, out-of-range numbers) are refused with a usage error.
import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNELS } from '../../../src-main/app/ipc-contract.js';
import * as v from 'valibot';
import { isPlainObject, MAX_PATH_LENGTH, validatePayload } from '../../../src-main/app/validate.js';
import { LIMITS } from '../../../src-main/shared/api.js';
import { bytes } from '../../../src-main/shared/schema/fields.js';

const ID = 'abcdefgh1234';
const ID2 = 'zyxwvuts9876';

function refused(channel: Parameters<typeof validatePayload>[0], payload: unknown): string {
  try {
    validatePayload(channel, payload);
  } catch (e) {
    expect((e as { code?: string }).code).toBe('usage');
    return (e as Error).message;
  }
  throw new Error(`accepted ${channel} ${JSON.stringify(payload)?.slice(0, 200)}`);
}

describe('validatePayload accepts the real shapes', () => {
  it('takes what the preload sends', () => {
    expect(validatePayload('mend:info', {})).toEqual({});
    expect(validatePayload('mend:remove-image', { id: ID })).toEqual({ id: ID });
    expect(validatePayload('mend:compare', { reference: ID, image: ID2, mask: undefined })).toEqual({ reference: ID, image: ID2 });
    expect(validatePayload('mend:open-path', { path: '/home/u/Pictures/a.jpg' })).toEqual({ path: '/home/u/Pictures/a.jpg' });
    const bytes = validatePayload('mend:add-image-bytes', { name: 'paste.png', data: new Uint8Array([1, 2, 3]).buffer });
    expect(bytes.data).toBeInstanceOf(Uint8Array);
    expect([...bytes.data]).toEqual([1, 2, 3]);
    expect(validatePayload('mend:job-control', { id: ID, action: 'pause' })).toEqual({ id: ID, action: 'pause' });
    expect(validatePayload('mend:choose-folder', { purpose: 'output' })).toEqual({ purpose: 'output' });
  });

  it('takes every job type with its options', () => {
    const specs = [
      { type: 'denoise', image: ID, sigma: 'auto' },
      { type: 'denoise', image: ID, sigma: 25, model: 'color-denoise' },
      // What the Edit page sends (issue 19: the desktop app refused it).
      { type: 'denoise', image: ID, sigma: 'auto', passes: 2 },
      { type: 'batch', task: 'denoise', images: [ID], sigma: 'auto', strength: 1, passes: 4 },
      // What the Batch page sends with Amount and Detail (issue 18).
      { type: 'batch', task: 'denoise', images: [ID], sigma: 'auto', amount: 40, detail: 25, strength: 1 },
      { type: 'inpaint', image: ID, mask: ID2 },
      { type: 'inpaint', image: ID, mask: ID2, model: 'color-inpaint', grain: false },
      { type: 'anomaly', image: ID, threshold: 6 },
      { type: 'corrupt', image: ID, noise: 'gaussian:25', damage: 'scratches', seed: 7 },
      { type: 'batch', task: 'denoise', images: [ID, ID2], paths: ['/photos/shoot'], outDir: '/photos/out', recursive: true, sigma: 'auto', strength: 0.8, format: 'same', quality: 90, depth: 16, keepMetadata: true, skipExisting: false },
      { type: 'batch', task: 'inpaint', images: [ID], mask: ID2, outDir: `workspace:${ID}` },
      { type: 'train', images: [ID], name: 'My model', arch: 'residual', variant: 'denoising', noise: 'gaussian:0-55', channels: 3, patch: 64, steps: 2000, batch: 16 },
      { type: 'train', paths: ['/data/clean'], name: 'Sparse', arch: 'autoencoder', variant: 'sparse-kl', lambda: 0.001, channels: 1, patch: 32, steps: 10, resume: true },
    ];
    for (const spec of specs) expect(validatePayload('mend:job-start', { id: ID, spec }).spec).toEqual(spec);
    const opts = { image: ID, base: ID2, strength: 0.5, source: ID2, format: 'jpeg', quality: 92, keepMetadata: true, fileName: 'photo.mend.jpg' };
    expect(validatePayload('mend:export-image', { opts }).opts).toEqual(opts);
  });

  it('has a check for every channel', () => {
    for (const c of INVOKE_CHANNELS) expect(() => validatePayload(c, { __proto__x: 1 }), c).toThrow(/unexpected key|Refused/);
  });
});

describe('validatePayload refuses hostile payloads', () => {
  it('wrong types', () => {
    refused('mend:remove-image', { id: 42 });
    refused('mend:remove-image', { id: null });
    refused('mend:remove-image', { id: ['abcdefgh1234'] });
    refused('mend:remove-image', 'abcdefgh1234');
    refused('mend:remove-image', [ID]);
    refused('mend:compare', { reference: ID, image: { toString: () => ID } });
    refused('mend:job-start', { id: ID, spec: { type: 'denoise', image: ID, sigma: '25' } });
    refused('mend:job-start', { id: ID, spec: { type: 'inpaint', image: ID, mask: ID2, grain: 'no' } });
    refused('mend:job-start', { id: ID, spec: { type: 'train', images: [ID], name: 'x', arch: 'residual', variant: 'denoising', channels: '3', patch: 64, steps: 10 } });
    refused('mend:add-image-bytes', { name: 'a.png', data: 'iVBORw0KGgo=' });
    refused('mend:add-image-bytes', { name: 'a.png', data: [137, 80, 78, 71] });
    refused('mend:export-image', { opts: { image: ID, format: 'jpeg', keepMetadata: 'yes', fileName: 'a.jpg' } });
  });

  it('missing and unexpected fields', () => {
    refused('mend:remove-image', {});
    refused('mend:remove-image', undefined);
    refused('mend:remove-image', { id: ID, path: '/etc/passwd' });
    refused('mend:job-start', { id: ID, spec: { type: 'denoise', image: ID, sigma: 10, command: 'rm -rf /' } });
    refused('mend:job-start', { id: ID, spec: { type: 'shell', cmd: 'x' } });
    refused('mend:job-start', { id: ID, spec: { image: ID } });
    refused('mend:info', { extra: true });
  });

  it('huge strings and lists', () => {
    refused('mend:open-path', { path: `/${'a'.repeat(MAX_PATH_LENGTH)}` });
    refused('mend:add-image-bytes', { name: 'x'.repeat(10_000), data: new ArrayBuffer(1) });
    refused('mend:rename-model', { id: 'my-model', name: 'n'.repeat(1_000_000) });
    refused('mend:job-start', { id: ID, spec: { type: 'batch', task: 'denoise', paths: Array.from({ length: 5000 }, () => '/p') } });
    refused('mend:job-start', { id: ID, spec: { type: 'corrupt', image: ID, noise: 'gaussian:'.padEnd(5000, '9') } });
  });

  it('bytes over the limit', () => {
    const upTo10 = bytes(10);
    expect(v.parse(upTo10, new Uint8Array(10).buffer).byteLength).toBe(10);
    expect(() => v.parse(upTo10, new Uint8Array(11).buffer)).toThrow(/larger than/);
    expect(() => v.parse(upTo10, new Uint16Array(6))).toThrow(/larger than/);
    // The channels use the shared upload limit.
    refused('mend:add-image-bytes', { name: 'a.png', data: { byteLength: LIMITS.maxUploadBytes + 1 } });
  });

  it('prototype pollution keys', () => {
    for (const json of [
      `{"id":"${ID}","__proto__":{"polluted":true}}`,
      `{"id":"${ID}","constructor":{"prototype":{"polluted":true}}}`,
      `{"id":"${ID}","prototype":1}`,
    ]) refused('mend:remove-image', JSON.parse(json));
    refused('mend:job-start', JSON.parse(`{"id":"${ID}","spec":{"type":"denoise","image":"${ID}","sigma":1,"__proto__":{"isAdmin":true}}}`));
    refused('mend:export-image', JSON.parse(`{"opts":{"image":"${ID}","format":"png","keepMetadata":true,"fileName":"a.png","__proto__":{"x":1}}}`));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });

  it('objects that are not plain data', () => {
    class Spec {
      type = 'denoise';
      image = ID;
      sigma = 10;
    }
    refused('mend:job-start', { id: ID, spec: new Spec() });
    refused('mend:remove-image', new Map([['id', ID]]));
    refused('mend:remove-image', Object.create({ id: ID }));
    const accessor = {};
    Object.defineProperty(accessor, 'id', { enumerable: true, get: () => ID });
    refused('mend:remove-image', accessor);
    refused('mend:remove-image', { [Symbol('id')]: ID, id: ID });
    expect(isPlainObject(Object.create(null))).toBe(true);
    expect(isPlainObject(new Date())).toBe(false);
  });

  it('ids that are paths or traversal', () => {
    for (const id of ['../../etc', '..%2f..%2fetc', 'abc/defghij', 'abc\\defghij', 'abcdefgh\0', 'short', '', 'a'.repeat(65), 'abcdefgh.png', ' abcdefgh12']) {
      refused('mend:remove-image', { id });
    }
    refused('mend:job-start', { id: '../jobs/x', spec: { type: 'denoise', image: ID, sigma: 1 } });
    refused('mend:job-start', { id: ID, spec: { type: 'batch', task: 'denoise', outDir: 'workspace:../../home' } });
    refused('mend:model-details', { id: '../../../etc/passwd' });
    refused('mend:model-details', { id: '/abs/model' });
    refused('mend:open-path', { path: '/photos/a.jpg\0.png' });
  });

  it('numbers out of range, NaN and Infinity', () => {
    refused('mend:job-start', { id: ID, spec: { type: 'denoise', image: ID, sigma: 1e9 } });
    refused('mend:job-start', { id: ID, spec: { type: 'denoise', image: ID, sigma: Number.NaN } });
    refused('mend:job-start', { id: ID, spec: { type: 'denoise', image: ID, sigma: Number.POSITIVE_INFINITY } });
    refused('mend:job-start', { id: ID, spec: { type: 'batch', task: 'denoise', strength: 2 } });
    // The Batch page's Amount and Detail: 0-100.
    expect(refused('mend:job-start', { id: ID, spec: { type: 'batch', task: 'denoise', images: [ID], amount: 101 } })).toMatch(/amount/);
    expect(refused('mend:job-start', { id: ID, spec: { type: 'batch', task: 'denoise', images: [ID], detail: -1 } })).toMatch(/detail/);
    refused('mend:job-start', { id: ID, spec: { type: 'batch', task: 'denoise', images: [ID], amount: Number.NaN } });
    refused('mend:job-start', { id: ID, spec: { type: 'train', images: [ID], name: 'x', arch: 'residual', variant: 'denoising', channels: 3, patch: 64.5, steps: 10 } });
    refused('mend:job-start', { id: ID, spec: { type: 'train', images: [ID], name: 'x', arch: 'residual', variant: 'denoising', channels: 2, patch: 64, steps: 10 } });
    refused('mend:export-image', { opts: { image: ID, format: 'exe', keepMetadata: true, fileName: 'a' } });
    refused('mend:job-control', { id: ID, action: 'kill' });
    refused('mend:choose-folder', { purpose: 'root' });
    refused('mend:job-start', { id: ID, spec: { type: 'denoise', image: ID, sigma: 'auto', passes: 3 } });
    // Across fields: a lab code cannot be larger than the patch it encodes.
    expect(refused('mend:job-start', { id: ID, spec: { type: 'lab-compare', patch: 8, code: 65 } })).toMatch(/the request\.spec\.code must be at most the patch size squared/);
    expect(validatePayload('mend:job-start', { id: ID, spec: { type: 'lab-compare', patch: 12, code: 100 } }).spec).toEqual({ type: 'lab-compare', patch: 12, code: 100 });
    refused('mend:job-start', { id: ID, spec: { type: 'lab-compare', variants: [] } });
  });

  it('says what is wrong in words, naming the field', () => {
    expect(refused('mend:job-start', { id: ID, spec: { type: 'denoise', image: ID, sigma: 1, strength: 2 } }))
      .toBe('Refused a request from the window: the request.spec has an unexpected key "strength"');
    expect(refused('mend:job-start', { id: ID, spec: { type: 'denoise', sigma: 1 } })).toBe('Refused a request from the window: the request.spec.image is missing');
    expect(refused('mend:job-start', { id: ID, spec: { type: 'denoise', image: ID, sigma: 300 } }))
      .toBe('Refused a request from the window: the request.spec.sigma must be a number from 0 to 255');
    expect(refused('mend:remove-image', { id: 42 })).toBe('Refused a request from the window: the request.id must be text, got 42');
    expect(refused('mend:job-start', { id: ID, spec: { type: 'shell' } })).toMatch(/the request\.spec\.type must be one of denoise, inpaint/);
  });

  it('error messages are one short line', () => {
    const m = refused('mend:rename-model', { id: 'm', name: 'x'.repeat(200_000) });
    expect(m.length).toBeLessThan(200);
    expect(m).not.toContain('xxxx');
  });
});
