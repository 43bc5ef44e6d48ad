import os from 'node:os';
import { backendStatus, describeBackend } from '../../core/runtime/backend.js';
import { listModels, readRegistry, shippedModelsDir, userModelsDir } from '../../core/models/registry.js';
import { parse } from '../args.js';
import type { CommandContext } from '../context.js';

export const infoHelp = `mend info [--json]
  Shows the compute backend in use (and why faster ones were not), and the installed models.`;

export async function infoCommand(argv: string[], ctx: CommandContext): Promise<number> {
  parse(argv, {}, false);
  const status = backendStatus()!;
  const models = await listModels();
  const defaults = readRegistry().defaults;
  const isDefault = (id: string): boolean => Object.values(defaults).some((d) => d?.gray === id || d?.color === id);
  if (ctx.json) {
    ctx.reporter.result({ task: 'info', backend: status.active, backendDescription: describeBackend(status.active), skipped: status.skipped,
      forced: status.forced, cpus: os.cpus().length, models: models.map((m) => ({ id: m.id, task: m.card.task, channels: m.card.channels,
        source: m.source, default: isDefault(m.id), description: m.card.description, dir: m.dir })) });
    return 0;
  }
  console.log(`Backend: ${describeBackend(status.active)}${status.forced ? ' (forced)' : ''} on ${os.cpus().length} CPU cores`);
  for (const s of status.skipped) console.log(`  not ${describeBackend(s.name)}: ${s.reason}`);
  console.log(`\nModels (shipped: ${shippedModelsDir()}, yours: ${userModelsDir()}):`);
  if (models.length === 0) console.log('  none installed');
  for (const m of models) {
    const kind = m.card.channels === 1 ? 'gray' : 'colour';
    console.log(`  ${m.id.padEnd(18)} ${m.card.task.padEnd(8)} ${kind.padEnd(6)} ${m.source.padEnd(7)} ${isDefault(m.id) ? 'default ' : '        '}${m.card.description}`);
  }
  return 0;
}
