import type { ModelCard } from './card.js';

const fmt = (v: number | undefined, digits = 2): string => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

/** card.md: the card as a page a person reads. */
export function renderCardMarkdown(card: ModelCard): string {
  const lines = [`# ${card.name} (\`${card.id}\`)`, '', card.description, ''];
  lines.push('| | |', '|---|---|');
  lines.push(`| task | ${card.task} |`, `| channels | ${card.channels === 1 ? 'grayscale' : 'colour'} |`);
  lines.push(`| architecture | \`${JSON.stringify(card.arch)}\` |`);
  if (card.sigmaRange) lines.push(`| noise levels | sigma ${card.sigmaRange[0]}-${card.sigmaRange[1]} |`);
  if (card.params) lines.push(`| parameters | ${card.params.toLocaleString('en-US')} |`);
  if (card.initFrom) lines.push(`| fine-tuned from | \`${card.initFrom}\` |`);
  if (card.flopsPerPixel) lines.push(`| FLOPs per pixel | ${Math.round(card.flopsPerPixel).toLocaleString('en-US')} |`);
  const t = card.training;
  if (t) {
    lines.push('', '## Training', '', '```', t.command, '```', '');
    lines.push(`Data: ${t.data} (${t.images} images). ${t.steps} steps of ${t.batch} patches of ${t.patch}x${t.patch}` +
      `${t.noise ? `, noise ${t.noise}` : ''}${t.regularizer ? `, regularizer ${t.regularizer} (lambda ${t.lambda})` : ''}.`);
    lines.push(`Wall time ${(t.wallSeconds / 60).toFixed(1)} min on ${t.backend}, ${fmt(t.patchesPerSecond, 1)} patches/s` +
      `${t.valPsnr !== undefined ? `, final validation PSNR ${fmt(t.valPsnr)} dB` : ''}.`);
  }
  if (card.eval?.length) {
    lines.push('', '## Evaluation', '', '| set | sigma / masks | images | input PSNR | PSNR | SSIM |', '|---|---|---|---|---|---|');
    for (const r of card.eval) {
      const passes = r.passes ? ` (${r.passes} passes)` : '';
      lines.push(`| ${r.set} | ${r.sigma ?? r.masks ?? ''}${passes} | ${r.images} | ${fmt(r.inputPsnr)} | ${fmt(r.psnr)} | ${fmt(r.ssim, 4)} |`);
    }
  }
  return lines.join('\n') + '\n';
}
