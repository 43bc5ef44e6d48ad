// The contract between the interface and its hosts: every request builder of the renderer
// (src-renderer/lib/api/requests.ts, buildBatchSpec, buildTrainSpec), called with the options the
// pages offer, builds a request that the desktop app's main process accepts on its IPC channel
// (app/validate.ts) and that `mend serve` accepts as a JSON body (the same schemas,
// shared/schema/). The builders are listed below; a builder, a job type or a job literal built
// anywhere else in the interface that the list does not cover fails the test, so a new request
// cannot skip the contract. (The Edit page's denoise with passes failed here before issue 19.)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validatePayload } from '../../../src-main/app/validate.js';
import { PASS_COUNTS } from '../../../src-main/shared/api.js';
import { JOB_TYPES, JobSpecSchema } from '../../../src-main/shared/schema/jobs.js';
import { ExportOptionsSchema } from '../../../src-main/shared/schema/requests.js';
import { checkRequest } from '../../../src-main/shared/schema/parse.js';
import * as requests from '../../../src-renderer/lib/api/requests.js';
import { LAB_VARIANTS } from '../../../src-renderer/lib/lab/variants.js';
import { BATCH_FORMATS, buildBatchSpec, DEFAULT_BATCH_FORM, type BatchForm } from '../../../src-renderer/lib/state/batch-form.js';
import { ARCHITECTURES, buildTrainSpec, DEFAULT_TRAIN_FORM, NOISES, VARIANTS, type TrainForm } from '../../../src-renderer/lib/state/train-form.js';
import { REPO_ROOT } from '../../helpers/cli.js';

const IMG = 'Img0abcdEFGH1234';
const MASK = 'Msk0abcdEFGH1234';
const LAB = 'Lab0abcdEFGH1234';
const FOLDER = '/home/u/Pictures/shoot';

const ok = <T>(r: { ok: true; spec: T } | { ok: false; message: string }): T => {
  if (!r.ok) throw new Error(`the form refused its own choices: ${r.message}`);
  return r.spec;
};

/** Every builder, with the choices its page offers. Keys: the builder's exported name. */
const BUILDERS: Record<string, () => unknown[]> = {
  // The Denoise panel: auto or manual sigma, any model, every pass count it offers.
  denoiseRequest: () => PASS_COUNTS.flatMap((passes) => [
    requests.denoiseRequest(IMG, { model: undefined, sigma: 'auto', passes }),
    requests.denoiseRequest(IMG, { model: 'color-denoise', sigma: 25, passes }),
    // The panel's manual Amount and its Detail.
    requests.denoiseRequest(IMG, { model: undefined, sigma: 'auto', passes, amount: 0, detail: 100 }),
    requests.denoiseRequest(IMG, { model: undefined, sigma: 'auto', passes, amount: 100, detail: 35 }),
  ]).concat([requests.denoiseRequest(IMG, { model: undefined, sigma: 'auto' })]),
  inpaintRequest: () => [
    requests.inpaintRequest(IMG, MASK, undefined, true), requests.inpaintRequest(IMG, MASK, 'color-inpaint', false),
    requests.inpaintRequest(IMG, MASK, undefined, true, { exclude: MASK, seed: 123456789 }),
  ],
  anomalyRequest: () => [requests.anomalyRequest(IMG), requests.anomalyRequest(IMG, 'color-denoise')],
  corruptRequest: () => [
    requests.corruptRequest(IMG, { noise: 'gaussian:25', seed: 1 }),
    requests.corruptRequest(IMG, { damage: 'scratches', seed: 7 }),
    requests.corruptRequest(IMG, { noise: 'poisson-gaussian:0.01,0.0004', damage: 'dust' }),
  ],
  labCompareRequest: () => (['scenes', 'folder', 'images'] as const).map((kind) => requests.labCompareRequest(
    { variants: LAB_VARIANTS.map((v) => v.id), patch: 8, code: 16, steps: 2000, noiseSigma: 20, l1Lambda: 0.5, klLambda: 1, rho: 0.05, contractiveLambda: 10 },
    kind === 'folder' ? { kind, folder: FOLDER } : kind === 'images' ? { kind, images: [IMG, MASK] } : { kind },
  )),
  labCodesRequest: () => LAB_VARIANTS.map((v) => requests.labCodesRequest(LAB, v.id, IMG)),
  dustRequest: () => [requests.dustRequest(5, 4, { kind: 'folder', folder: FOLDER }), requests.dustRequest(3, 15, { kind: 'images', images: [IMG, MASK] })],
  similarIndexRequest: () => [requests.similarIndexRequest(false, { kind: 'folder', folder: FOLDER }), requests.similarIndexRequest(true, { kind: 'images', images: [IMG, MASK] })],
  similarFindRequest: () => [requests.similarFindRequest('workspace', IMG), requests.similarFindRequest(FOLDER, 'sub/a.jpg')],
  // The Batch page: each task, Amount mode and Detail, pass count, output format and depth.
  buildBatchSpec: () => {
    const forms: BatchForm[] = [];
    for (const passes of PASS_COUNTS) forms.push({ ...DEFAULT_BATCH_FORM, passes });
    for (const format of BATCH_FORMATS) forms.push({ ...DEFAULT_BATCH_FORM, format, depth: format === 'png' || format === 'tiff' ? 16 : 'same' });
    forms.push({ ...DEFAULT_BATCH_FORM, amountMode: 'manual', amount: 45, detail: 30, strength: 0.6, model: 'color-denoise', folders: [FOLDER], recursive: true, outMode: 'folder', outDir: '/home/u/out', skipExisting: true });
    forms.push({ ...DEFAULT_BATCH_FORM, task: 'inpaint', format: 'jpeg', keepMetadata: false });
    return forms.map((f) => ok(buildBatchSpec(f, { images: [IMG], mask: MASK })));
  },
  // The Train page: every variant on every architecture with every training noise.
  buildTrainSpec: () => {
    const specs: unknown[] = [];
    for (const variant of VARIANTS) {
      for (const arch of ARCHITECTURES) {
        for (const noise of NOISES) {
          const form: TrainForm = { ...DEFAULT_TRAIN_FORM, variant: variant.id, arch: arch.id, noise: noise.id, name: `My ${variant.id} model`, folder: FOLDER };
          specs.push(ok(buildTrainSpec(form, { images: [] })));
        }
      }
    }
    specs.push(ok(buildTrainSpec({ ...DEFAULT_TRAIN_FORM, source: 'images', channels: 1, name: 'Grey' }, { images: [IMG], resume: true })));
    return specs;
  },
  // The Export panel (every format, blended or not) and the Dust panel's mask download.
  exportRequest: () => (['jpeg', 'png', 'tiff', 'webp', 'avif'] as const).flatMap((format) => [
    requests.exportRequest(IMG, { format, quality: 92, depth: 16, keepMetadata: true, fileName: 'photo.jpg' }, { source: IMG }),
    requests.exportRequest(IMG, { format, quality: 80, depth: 8, keepMetadata: false, fileName: 'photo.mend.png' }, { source: IMG, blend: { base: MASK, strength: 0.4 } }),
  ]),
};

const isExport = (r: unknown): boolean => !(r as { type?: unknown }).type;

/** What the request looks like after IPC (structured clone) and after JSON (mend serve), minus undefined fields. */
const withoutUndefined = (r: unknown): unknown => JSON.parse(JSON.stringify(r));

describe('every request the interface builds is accepted by both hosts', () => {
  for (const [name, build] of Object.entries(BUILDERS)) {
    it(name, () => {
      const built = build();
      expect(built.length).toBeGreaterThan(0);
      for (const r of built) {
        if (isExport(r)) {
          expect(withoutUndefined(validatePayload('mend:export-image', { opts: structuredClone(r) }).opts)).toEqual(withoutUndefined(r));
          const web = checkRequest(ExportOptionsSchema, withoutUndefined(r), 'the body');
          expect(web.ok ? 'ok' : web.reason).toBe('ok');
        } else {
          expect(withoutUndefined(validatePayload('mend:job-start', { id: IMG, spec: structuredClone(r) }).spec)).toEqual(withoutUndefined(r));
          const web = checkRequest(JobSpecSchema, withoutUndefined(r), 'the body');
          expect(web.ok ? 'ok' : web.reason).toBe('ok');
        }
      }
    });
  }
});

describe('the list of builders is complete', () => {
  it('names every builder requests.ts exports', () => {
    const exported = Object.entries(requests).filter(([, v]) => typeof v === 'function').map(([k]) => k);
    for (const name of exported) expect(BUILDERS, `requests.ts exports ${name}, which the contract test does not call`).toHaveProperty(name);
  });

  it('covers every job type the hosts accept, and exports', () => {
    const types = new Set(Object.values(BUILDERS).flatMap((b) => b().map((r) => (r as { type?: string }).type ?? 'export')));
    expect([...types].sort()).toEqual([...JOB_TYPES, 'export'].sort());
  });

  it('finds no job or export built outside the builders', () => {
    const allowed = new Set(['lib/api/requests.ts', 'lib/state/batch-form.ts', 'lib/state/train-form.ts']);
    const root = path.join(REPO_ROOT, 'src-renderer');
    const jobLiteral = new RegExp(`type:\\s*['"](${JOB_TYPES.join('|')})['"]`);
    const exportLiteral = /exportImage\(\s*\{/;
    const found: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (/\.(ts|svelte)$/.test(e.name)) {
          const rel = path.relative(root, full).split(path.sep).join('/');
          if (allowed.has(rel)) continue;
          readFileSync(full, 'utf8').split('\n').forEach((line, i) => {
            if (jobLiteral.test(line) || exportLiteral.test(line)) found.push(`${rel}:${i + 1}: ${line.trim()}`);
          });
        }
      }
    };
    walk(root);
    expect(found, 'build requests in src-renderer/lib/api/requests.ts so the contract test covers them').toEqual([]);
  });
});
