import {
  BENCH_SIGMAS, evaluateDenoise, evaluateInpaint, formatEvalTable, parseSigmaList,
} from '../../core/eval/evaluate.js';
import { evaluateRealNoise, formatRealNoiseTable } from '../../core/eval/real-noise.js';
import { recordEval } from '../../core/models/card-eval.js';
import { resolveModel } from '../../core/models/registry.js';
import { MendError } from '../../shared/errors.js';
import { num, oneOf, parse, passesOption, required } from '../args.js';
import type { CommandContext } from '../context.js';

export const evalHelp = `mend eval --data DIR [--sigma 15,25,50] [options]
  Scores a model on a folder of clean images (the published benchmark protocol).
  --task denoise|inpaint|real        (default denoise)
  --model ID|PATH                    default: the installed default for each image's kind
  --data DIR                         clean images (e.g. Set12, McMaster)
  --sigma LIST                       denoise: noise levels on the 0-255 scale (default 15,25,50)
  --seed N                           denoise: base noise seed (default 0); same seed, same numbers
  --estimate                         denoise: give the model the noise estimator's sigma instead
                                     of the true one (what --sigma auto does on a photo)
  --passes 1|2|4|8                   denoise: network passes over turned copies, averaged
  --record                           write the scores into the model's card (needs --model)
  --masks DIR                        inpaint: masks (white = hole) named like the images; each
                                     sub-folder of DIR with masks is scored as its own row
  Denoise: unclipped Gaussian noise, the true sigma given to the model, output clamped and
  rounded to 8 bits, PSNR/SSIM on the full image. Inpaint: PSNR over the holes and the whole
  image; input PSNR is that of the damaged input with holes filled with 0.5. Real: DIR holds
  noisy/ and clean/ with the same file names (real camera noise and its reference); each noisy
  image is denoised blind, as a photographer gets it, and scored against its reference.`;

export async function evalCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v } = parse(argv, {
    task: { type: 'string' }, model: { type: 'string' }, data: { type: 'string' },
    sigma: { type: 'string' }, seed: { type: 'string' }, masks: { type: 'string' }, tile: { type: 'string' }, record: { type: 'boolean' },
    estimate: { type: 'boolean' }, passes: { type: 'string' },
  }, false);
  if (v.record && !v.model) throw new MendError('usage', '--record needs --model (the card to write to)');
  if (v.record && v.estimate) throw new MendError('usage', '--record keeps the protocol\'s scores (true sigma); drop --estimate');
  const task = oneOf(v.task, 'task', ['denoise', 'inpaint', 'real'] as const, 'denoise');
  const data = required(v.data, 'data');
  const tileSize = v.tile === undefined ? undefined : num(v.tile, 'tile', 512, { min: 64, max: 4096, int: true });
  const job = { signal: ctx.job.signal, onEvent: ctx.job.onEvent, tileSize };
  if (task === 'real') {
    if (v.sigma !== undefined || v.seed !== undefined || v.estimate || v.masks !== undefined || v.record) {
      throw new MendError('usage', '--task real scores blind denoising of noisy/ against clean/: it takes --data, --model, --passes and --tile');
    }
    const real = await evaluateRealNoise({ ...job, data, model: v.model, passes: passesOption(v.passes) });
    ctx.reporter.done();
    ctx.reporter.result({ task: 'real', model: real.model, results: real.results });
    if (!ctx.json) console.log(formatRealNoiseTable(real.model, real.results));
    return 0;
  }
  let result;
  if (task === 'inpaint') {
    if (v.sigma !== undefined || v.seed !== undefined || v.estimate || v.passes !== undefined) {
      throw new MendError('usage', '--sigma, --seed, --estimate and --passes are for --task denoise');
    }
    if (!v.masks) throw new MendError('usage', '--task inpaint needs --masks DIR (mask images named like the images, white = hole)');
    const masks = v.masks;
    result = await evaluateInpaint({ ...job, data, masks, model: v.model });
  } else {
    if (v.masks !== undefined) throw new MendError('usage', '--masks is for --task inpaint');
    const sigmas = v.sigma === undefined ? [...BENCH_SIGMAS] : parseSigmaList(v.sigma);
    const seed = num(v.seed, 'seed', 0, { int: true });
    result = await evaluateDenoise({ ...job, data, sigmas, seed, model: v.model, estimate: v.estimate, passes: passesOption(v.passes) });
  }
  if (v.record) {
    const { dir } = await resolveModel(v.model, task, 3);
    await recordEval(dir, result.results.map((r) => ({ ...r })));
  }
  ctx.reporter.done();
  ctx.reporter.result({ task: result.task, model: result.model, results: result.results });
  if (!ctx.json) console.log(formatEvalTable(result));
  return 0;
}
