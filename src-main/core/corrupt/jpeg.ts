// JPEG round trip (8-bit encode, decode) to produce compression artefacts.
import sharp from 'sharp';
import { MendError } from '../../shared/errors.js';
import { type Raster } from '../image/raster.js';

/** Encodes the raster as an 8-bit JPEG at `quality` (1-100) and decodes it back; channels kept. */
export async function jpegCompress(raster: Raster, quality: number): Promise<Raster> {
  if (!(Number.isInteger(quality) && quality >= 1 && quality <= 100)) {
    throw new MendError('usage', `JPEG quality must be a whole number from 1 to 100, got ${quality}.`);
  }
  const { width, height, channels } = raster;
  if (channels !== 1 && channels !== 3) {
    throw new MendError('internal', `jpegCompress needs 1 or 3 channels, got ${channels}`);
  }
  const src = raster.data;
  const bytes = Buffer.allocUnsafe(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    bytes[i] = v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255);
  }
  const jpeg = await sharp(bytes, { raw: { width, height, channels } })
    .jpeg({ quality })
    .toBuffer();
  let pipeline = sharp(jpeg);
  pipeline = channels === 1 ? pipeline.toColourspace('b-w') : pipeline.removeAlpha().toColourspace('srgb');
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== channels) {
    throw new MendError(
      'internal',
      `JPEG round trip returned ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x${channels}`,
    );
  }
  const out = new Float32Array(data.length);
  const inv = 1 / 255;
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * inv;
  return { width, height, channels, data: out };
}
