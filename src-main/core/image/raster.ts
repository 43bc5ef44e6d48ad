// The in-memory image every core module works on: float32 in [0,1], interleaved HWC.
// Alpha is never part of a Raster: image/io keeps it aside and puts it back untouched.

export interface Raster {
  width: number;
  height: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: number;
  data: Float32Array;
}

export function createRaster(width: number, height: number, channels: number): Raster {
  return { width, height, channels, data: new Float32Array(width * height * channels) };
}
