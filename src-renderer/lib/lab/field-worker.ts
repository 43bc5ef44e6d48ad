/**
 * Trains the denoising vector field toy (field-mlp.ts) off the main thread: steps in slices of
 * ~25 ms, then posts the field on a grid, a sample of corrupted points and the statistics, so
 * the page redraws at ~10 frames a second while the network learns.
 */
import { curvePoints, fieldGrid, fieldStats, Mlp, noisyBatch, ToyRng, type Activation, type CurveKind, type FieldStats } from './field-mlp.js';

export interface FieldConfig {
  curve: CurveKind;
  /** Corruption noise (standard deviation, in the plane's units; the data spans about [-0.9, 0.9]). */
  sigma: number;
  hidden: number;
  activation: Activation;
  learningRate: number;
  /** Grid points per side for the arrows. */
  grid: number;
  /** Half width of the square shown. */
  extent: number;
  seed: number;
}

export type FieldRequest =
  | { type: 'config'; config: FieldConfig }
  | { type: 'run'; running: boolean }
  | { type: 'reset' }
  /** The page drew the last state: the next may come (so a busy page is never flooded). */
  | { type: 'ack' }
  /** Follows the field from (x, y): x <- r(x), `steps` times. */
  | { type: 'trace'; x: number; y: number; steps: number };

export interface FieldTrace {
  type: 'trace';
  /** The points visited, (x, y) interleaved, starting at the clicked point. */
  path: Float32Array;
}

export interface FieldState {
  type: 'state';
  step: number;
  loss: number;
  running: boolean;
  /** The clean data points (x, y interleaved); sent after each config/reset only. */
  data?: Float32Array;
  /** A few corrupted training inputs, for showing what the network sees. */
  noisy: Float32Array;
  /** r(x) - x on the grid (x, y interleaved, first row at y = +extent). */
  vectors: Float32Array;
  grid: number;
  extent: number;
  stats: FieldStats;
}

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<FieldRequest>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
};

const BATCH = 64;
const POINTS = 400;
let config: FieldConfig | undefined;
let net: Mlp | undefined;
let data: Float32Array = new Float32Array(0);
let rng = new ToyRng(1);
let step = 0;
let loss = NaN;
let running = false;
let timer: ReturnType<typeof setTimeout> | undefined;
let sendData = true;
/** A state is out and not yet drawn; when it was sent. */
let unacked = false;
let lastPost = 0;
/** At most this often while training (ms). */
const POST_EVERY = 80;
const inputs = new Float32Array(2 * BATCH);
const targets = new Float32Array(2 * BATCH);

function reset(): void {
  if (!config) return;
  data = curvePoints(config.curve, POINTS, config.seed);
  net = new Mlp(config.hidden, config.seed + 1, config.activation);
  rng = new ToyRng(config.seed + 2);
  step = 0;
  loss = NaN;
  sendData = true;
}

function post(): void {
  if (!config || !net) return;
  const grid = fieldGrid(net, config.grid, config.extent);
  const noisy = new Float32Array(2 * 160);
  const show = new ToyRng(config.seed + 3);
  noisyBatch(data, 160, config.sigma, show, noisy, new Float32Array(2 * 160));
  const stats = fieldStats(grid, data, [0.5 * config.sigma, 2 * config.sigma], 5 * config.sigma);
  const msg: FieldState = { type: 'state', step, loss, running, noisy, vectors: grid.vectors, grid: grid.n, extent: grid.extent, stats };
  if (sendData) {
    msg.data = data.slice();
    sendData = false;
  }
  unacked = true;
  lastPost = performance.now();
  scope.postMessage(msg);
}

function tick(): void {
  timer = undefined;
  if (!running || !config || !net) return;
  const t0 = performance.now();
  let sum = 0;
  let n = 0;
  while (performance.now() - t0 < 25) {
    noisyBatch(data, BATCH, config.sigma, rng, inputs, targets);
    sum += net.step(inputs, targets, config.learningRate);
    n++;
    step++;
  }
  loss = sum / Math.max(1, n);
  if (!unacked && performance.now() - lastPost >= POST_EVERY) post();
  timer = setTimeout(tick, 0);
}

scope.onmessage = (e) => {
  const req = e.data;
  if (req.type === 'ack') {
    unacked = false;
  } else if (req.type === 'config') {
    config = req.config;
    reset();
    post();
  } else if (req.type === 'reset') {
    reset();
    post();
  } else if (req.type === 'trace') {
    if (!net) return;
    const path = new Float32Array(2 * (req.steps + 1));
    let x = req.x;
    let y = req.y;
    path[0] = x;
    path[1] = y;
    for (let i = 1; i <= req.steps; i++) {
      [x, y] = net.forward(x, y);
      path[2 * i] = x;
      path[2 * i + 1] = y;
    }
    scope.postMessage({ type: 'trace', path } satisfies FieldTrace);
  } else if (req.type === 'run') {
    running = req.running;
    if (running && timer === undefined) timer = setTimeout(tick, 0);
    post();
  }
};
