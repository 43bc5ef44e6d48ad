import path from 'node:path';
import type { ArchSpec, CodeActivation, Conditioning } from '../../core/models/architectures.js';
import type { ModelTask } from '../../core/models/card.js';
import { parseTrainCorruption } from '../../core/train/corruption.js';
import { parseRegularizer } from '../../core/train/regularizers.js';
import { trainModel } from '../../core/train/trainer.js';
import { resolveModel } from '../../core/models/registry.js';
import type { LoadedModel } from '../../core/models/store.js';
import { MendError } from '../../shared/errors.js';
import { num, oneOf, parse, required } from '../args.js';
import type { CommandContext } from '../context.js';
import { checkTrainOut } from '../outputs.js';
import { hasCheckpoint } from '../../core/train/checkpoint.js';

export const trainHelp = `mend train --data DIR --out DIR [options]
  Trains a convolutional autoencoder on a folder of images.
  --arch residual|unet|autoencoder   (default residual: trains fastest here)
  --channels 1|3                     grayscale or colour (default 3)
  --noise SPEC                       gaussian:0-55, gaussian:25, poisson-gaussian:A,B (ranges ok),
                                     photo:A,B[,JPEG-QUALITY] (camera noise: correlated, 8-bit,
                                     half the patches saved as JPEG at a quality from the range),
                                     salt-pepper:P, damage (inpainting), none (plain autoencoder)
  --conditioning none|noise-map|mask extra input plane (default: noise-map for noise, mask for damage)
  --width N --depth N --levels N --blocks N --code-channels N --code-activation relu|sigmoid|linear
                                     (a width that is a multiple of 8 runs fastest: ONNX Runtime's
                                     CPU kernels pad channels to 8, so width 28 costs what 32 does)
  --regularizer l1|kl|contractive --lambda X [--rho R]
  --steps N (2000) --batch N (16) --patch N (64) --lr X (0.001) --seed N (1)
  --resume                           continue from OUT/checkpoint
  --force                            replace what OUT holds (without it, an OUT folder that holds
                                     anything, such as a model, is refused)
  --init ID|DIR                      fine-tune: start from this model's weights (its architecture;
                                     do not combine with --arch/--width/...)
  --id ID --name TEXT --description TEXT   for the model card`;

export async function trainCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { values: v } = parse(argv, {
    data: { type: 'string' }, out: { type: 'string' }, arch: { type: 'string' }, channels: { type: 'string' },
    noise: { type: 'string' }, conditioning: { type: 'string' }, width: { type: 'string' }, depth: { type: 'string' },
    levels: { type: 'string' }, blocks: { type: 'string' }, 'code-channels': { type: 'string' },
    'code-activation': { type: 'string' }, regularizer: { type: 'string' }, lambda: { type: 'string' }, rho: { type: 'string' },
    steps: { type: 'string' }, batch: { type: 'string' }, patch: { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' },
    resume: { type: 'boolean' }, force: { type: 'boolean' }, init: { type: 'string' }, id: { type: 'string' }, name: { type: 'string' }, description: { type: 'string' },
    'max-images': { type: 'string' }, 'val-every': { type: 'string' }, 'checkpoint-every': { type: 'string' },
  }, false);
  const data = required(v.data, 'data');
  const out = required(v.out, 'out');
  checkTrainOut(out, { resume: v.resume ?? false, force: v.force ?? false, hasCheckpoint: hasCheckpoint(out) });
  const noiseText = v.noise ?? 'gaussian:0-55';
  const corruption = parseTrainCorruption(noiseText);
  const kind = oneOf(v.arch, 'arch', ['unet', 'residual', 'autoencoder'] as const, 'residual');
  const channels = oneOf(v.channels, 'channels', ['1', '3'] as const, '3') === '1' ? 1 : 3;
  const defaultConditioning: Conditioning =
    corruption.kind === 'damage' ? 'mask' : corruption.kind === 'none' || kind === 'autoencoder' ? 'none' : 'noise-map';
  const conditioning = oneOf(v.conditioning, 'conditioning', ['none', 'noise-map', 'mask'] as const, defaultConditioning);
  const codeActivation = oneOf<CodeActivation>(v['code-activation'], 'code-activation', ['relu', 'sigmoid', 'linear'],
    v.regularizer === 'kl' ? 'sigmoid' : 'relu');
  const width = num(v.width, 'width', kind === 'unet' ? 48 : 40, { min: 1, max: 512, int: true });
  let arch: ArchSpec;
  if (kind === 'unet') {
    arch = { kind, channels, width, levels: num(v.levels, 'levels', 3, { min: 1, max: 5, int: true }),
      blocks: num(v.blocks, 'blocks', 2, { min: 0, max: 8, int: true }), codeActivation, conditioning };
  } else if (kind === 'residual') {
    arch = { kind, channels, width, depth: num(v.depth, 'depth', 10, { min: 3, max: 40, int: true }), codeActivation, conditioning };
  } else {
    arch = { kind, channels, width, levels: num(v.levels, 'levels', 2, { min: 1, max: 5, int: true }),
      codeChannels: num(v['code-channels'], 'code-channels', 16, { min: 1, max: 1024, int: true }), codeActivation, conditioning };
  }
  const task: ModelTask = corruption.kind === 'damage' ? 'inpaint' : corruption.kind === 'none' ? 'reconstruct' : 'denoise';
  let init: { id: string; model: LoadedModel['model'] } | undefined;
  if (v.init !== undefined) {
    const archFlags = ['arch', 'channels', 'conditioning', 'width', 'depth', 'levels', 'blocks', 'code-channels', 'code-activation'] as const;
    const clash = archFlags.filter((f) => v[f] !== undefined);
    if (clash.length) throw new MendError('usage', `--init takes the architecture from the model; drop --${clash.join(', --')}`);
    const loaded = await resolveModel(v.init, task, channels);
    arch = loaded.card.arch;
    init = { id: loaded.card.id, model: loaded.model };
  }
  const regularizer = v.regularizer
    ? parseRegularizer(v.regularizer, num(v.lambda, 'lambda', 1e-3, { min: 0 }), v.rho === undefined ? undefined : num(v.rho, 'rho', 0.05))
    : undefined;
  const steps = num(v.steps, 'steps', 2000, { min: 1, int: true });
  const id = v.id ?? path.basename(path.resolve(out));
  const result = await trainModel({
    data, out, arch, task, corruption, corruptionText: noiseText, regularizer, steps,
    batch: num(v.batch, 'batch', 16, { min: 1, max: 1024, int: true }),
    patch: num(v.patch, 'patch', 64, { min: 8, max: 1024, int: true }),
    learningRate: num(v.lr, 'lr', 1e-3, { min: 1e-7, max: 1 }),
    seed: num(v.seed, 'seed', 1, { int: true }),
    valEvery: num(v['val-every'], 'val-every', 50, { min: 1, int: true }),
    checkpointEvery: num(v['checkpoint-every'], 'checkpoint-every', 100, { min: 1, int: true }),
    resume: v.resume ?? false,
    maxImages: v['max-images'] === undefined ? undefined : num(v['max-images'], 'max-images', 0, { min: 1, int: true }),
    id, name: v.name ?? id, description: v.description ?? `${task} model trained with mend train`,
    command: ctx.commandLine,
    init,
  }, ctx.job);
  ctx.reporter.done();
  ctx.reporter.result({ task: 'train', model: id, dir: result.dir, steps: result.steps, valPsnr: result.valPsnr,
    wallSeconds: result.wallSeconds, patchesPerSecond: result.patchesPerSecond });
  if (!ctx.json) {
    console.log(`Saved ${result.dir}: ${result.steps} steps, validation PSNR ${result.valPsnr.toFixed(2)} dB, ` +
      `${(result.wallSeconds / 60).toFixed(1)} min, ${result.patchesPerSecond.toFixed(1)} patches/s`);
  }
  return 0;
}
