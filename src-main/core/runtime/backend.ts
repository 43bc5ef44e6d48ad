/**
 * Chooses the TensorFlow.js backend at start: CUDA (tfjs-node-gpu) > native CPU (tfjs-node) >
 * wasm > pure-JS cpu, each tried only if it loads. MEND_BACKEND (or --backend) forces one.
 * Records why each faster backend was passed over, for `mend info` and the UI status line.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { MendError } from '../../shared/errors.js';

export type BackendName = 'cuda' | 'native' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['cuda', 'native', 'wasm', 'cpu'];

export interface BackendStatus {
  active: BackendName;
  /** Backends that were tried before the active one and why they were not used. */
  skipped: { name: BackendName; reason: string }[];
  forced: boolean;
}

const DESCRIPTION: Record<BackendName, string> = {
  cuda: 'CUDA GPU (tfjs-node-gpu)',
  native: 'native CPU (tfjs-node)',
  wasm: 'WebAssembly (tfjs-backend-wasm)',
  cpu: 'plain JavaScript (tfjs cpu)',
};

export function describeBackend(name: BackendName): string {
  return DESCRIPTION[name];
}

const require = createRequire(import.meta.url);
let status: BackendStatus | undefined;

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0].slice(0, 200);
}

async function tryBackend(name: BackendName): Promise<string | undefined> {
  try {
    if (name === 'cuda' || name === 'native') {
      // The native bindings register the 'tensorflow' backend when they load. Both packages
      // are optionalDependencies: their install downloads libtensorflow, which can fail.
      const pkg = name === 'cuda' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      try {
        require.resolve(pkg);
      } catch {
        return `${pkg} is not installed (its optional install needs internet access to download libtensorflow)`;
      }
      require(pkg);
      if (!(await tf.setBackend('tensorflow'))) return `${pkg} loaded but its backend did not initialise`;
      if (name === 'cuda') {
        const gpus = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
        if (gpus === false) return 'tfjs-node-gpu found no usable CUDA 11.2 / cuDNN 8 GPU';
      }
      return undefined;
    }
    if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
      if (!(await tf.setBackend('wasm'))) return 'the wasm backend did not initialise';
      return undefined;
    }
    if (!(await tf.setBackend('cpu'))) return 'the cpu backend did not initialise';
    return undefined;
  } catch (e) {
    return firstLine(e);
  }
}

export function parseBackendName(text: string): BackendName {
  const name = text.trim().toLowerCase();
  if ((BACKEND_ORDER as readonly string[]).includes(name)) return name as BackendName;
  throw new MendError('usage', `Unknown backend "${text}": use one of ${BACKEND_ORDER.join(', ')}`);
}

/**
 * Initialises the backend once per process. `forced` (or MEND_BACKEND) selects one backend
 * and fails clearly if it cannot load, rather than silently using another.
 */
export async function initBackend(forced?: string): Promise<BackendStatus> {
  if (status) return status;
  // Production mode skips per-op debug checks and the console banner that suggests tfjs-node
  // (`mend info` explains the backend choice instead).
  tf.enableProdMode();
  const want = forced ?? process.env.MEND_BACKEND;
  if (want) {
    const name = parseBackendName(want);
    const reason = await tryBackend(name);
    if (reason) throw new MendError('unsupported', `Backend ${name} (${DESCRIPTION[name]}) is not available: ${reason}`);
    status = { active: name, skipped: [], forced: true };
  } else {
    const skipped: BackendStatus['skipped'] = [];
    for (const name of BACKEND_ORDER) {
      const reason = await tryBackend(name);
      if (!reason) {
        status = { active: name, skipped, forced: false };
        break;
      }
      skipped.push({ name, reason });
    }
    if (!status) throw new MendError('unsupported', 'No TensorFlow.js backend could start');
  }
  await tf.ready();
  return status;
}

export function backendStatus(): BackendStatus | undefined {
  return status;
}
