// Draws the app icon, build/icon.png (512x512), from an SVG with sharp. electron-builder derives
// the platform icons (.ico, .icns, the Linux sizes) from it. Run again after changing the drawing:
//   node scripts/make-icon.mjs
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { REPO_ROOT } from './electron-binary.mjs';

// A rounded square; on it a photo frame whose left half is grain (noise) and right half clean,
// split by a bright seam: denoising at a glance.
const grain = [];
let seed = 7;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
for (let i = 0; i < 420; i++) {
  const x = 120 + rnd() * 136;
  const y = 140 + rnd() * 232;
  const r = 2 + rnd() * 4;
  const o = (0.25 + rnd() * 0.6).toFixed(2);
  grain.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r.toFixed(1)}" fill="#ffffff" opacity="${o}"/>`);
}
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#2b3a55"/><stop offset="1" stop-color="#121826"/></linearGradient>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#5fa8ff"/><stop offset="1" stop-color="#9fd3ff"/></linearGradient>
    <clipPath id="frame"><rect x="120" y="140" width="272" height="232" rx="18"/></clipPath>
  </defs>
  <rect x="16" y="16" width="480" height="480" rx="104" fill="url(#bg)"/>
  <g clip-path="url(#frame)">
    <rect x="120" y="140" width="272" height="232" fill="url(#sky)"/>
    <circle cx="320" cy="200" r="30" fill="#ffe27a"/>
    <path d="M120 372 L205 262 L260 322 L300 282 L392 372 Z" fill="#2f7d5b"/>
    <g>${grain.join('')}</g>
  </g>
  <rect x="120" y="140" width="272" height="232" rx="18" fill="none" stroke="#e8eefc" stroke-width="10"/>
  <rect x="251" y="118" width="10" height="276" rx="5" fill="#ffffff"/>
</svg>`;

const out = path.join(REPO_ROOT, 'build', 'icon.png');
mkdirSync(path.dirname(out), { recursive: true });
await sharp(Buffer.from(svg)).png({ compressionLevel: 9 }).toFile(out);
console.log(`wrote ${out}`);
