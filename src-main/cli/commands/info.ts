import os from 'node:os';
import { backendStatus, describeBackend } from '../../core/runtime/backend.js';
import { describeRuntime, inferenceRuntime, type RuntimeStatus } from '../../core/infer/runtime-choice.js';
import { listModels, readRegistry, shippedModelsDir, userModelsDir } from '../../core/models/registry.js';
import { parse } from '../args.js';
import type { CommandContext } from '../context.js';

export const infoHelp = `mend info [--json]
  Shows the inference runtime (ONNX Runtime or TensorFlow.js, and why), the TensorFlow.js
  backend used for training (and why faster ones were not), and the installed models.
  The first run on a machine times both runtimes on a small tile (a few seconds) and caches the
  result; --runtime onnx|tfjs or MEND_RUNTIME skips that and forces one.`;

function runtimeLines(r: RuntimeStatus): string[] {
  const out = [`Inference: ${describeRuntime(r)}${r.forced ? ' (forced)' : ''}: ${r.reason}`];
  if (r.calibration) {
    const c = r.calibration;
    out.push(`  calibration: ONNX Runtime ${c.onnxMegapixelsPerSecond.toFixed(3)} MP/s, TensorFlow.js ${c.tfjsMegapixelsPerSecond.toFixed(3)} MP/s ` +
      `(${c.cached ? 'cached in' : 'measured now, saved to'} ${c.file})`);
  }
  if (!r.onnx.available) out.push(`  not ONNX Runtime: ${r.onnx.reason}`);
  for (const f of r.onnx.providerFailures ?? []) out.push(`  ONNX Runtime provider not used: ${f}`);
  return out;
}

export async function infoCommand(argv: string[], ctx: CommandContext): Promise<number> {
  parse(argv, {}, false);
  const status = backendStatus()!;
  const runtime = await inferenceRuntime();
  const models = await listModels();
  const defaults = readRegistry().defaults;
  const isDefault = (id: string): boolean => Object.values(defaults).some((d) => d?.gray === id || d?.color === id);
  if (ctx.json) {
    ctx.reporter.result({ task: 'info', backend: status.active, backendDescription: describeBackend(status.active), skipped: status.skipped,
      forced: status.forced, runtime: { ...runtime, description: describeRuntime(runtime) }, cpus: os.cpus().length,
      models: models.map((m) => ({ id: m.id, task: m.card.task, channels: m.card.channels,
        source: m.source, default: isDefault(m.id), description: m.card.description, dir: m.dir })) });
    return 0;
  }
  for (const line of runtimeLines(runtime)) console.log(line);
  console.log(`Training backend: ${describeBackend(status.active)}${status.forced ? ' (forced)' : ''} on ${os.cpus().length} CPU cores`);
  for (const s of status.skipped) console.log(`  not ${describeBackend(s.name)}: ${s.reason}`);
  console.log(`\nModels (shipped: ${shippedModelsDir()}, yours: ${userModelsDir()}):`);
  if (models.length === 0) console.log('  none installed');
  for (const m of models) {
    const kind = m.card.channels === 1 ? 'gray' : 'colour';
    console.log(`  ${m.id.padEnd(18)} ${m.card.task.padEnd(8)} ${kind.padEnd(6)} ${m.source.padEnd(7)} ${isDefault(m.id) ? 'default ' : '        '}${m.card.description}`);
  }
  return 0;
}
