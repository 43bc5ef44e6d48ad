#!/usr/bin/env python3
"""Trains a Mend denoiser on a GPU with PyTorch.

`mend train` trains on the CPU (TensorFlow.js); a GPU workstation with PyTorch trains the same
networks hundreds of times faster with this script. The networks here mirror
src-main/core/models/architectures.ts layer for layer: 3x3 'same' convolutions with zero padding,
ReLU, and space-to-depth in the channel order of layers.ts (PixelUnshuffle: channel = (dy*2+dx)*C
+ c). Each convolution carries the name the TypeScript builder gives it, and the weights are
written under those names, so `node scripts/import-torch.mjs` (core/models/import-weights.ts) turns
the output into a model folder; a test there checks that a model trained here gives PyTorch's
output through ONNX Runtime.

Training data: every image of each --data folder, as luminance (R+G+B)/3 (the plane Mend's
colour route gives a grey denoiser), cut into --tile x --tile tiles kept on the device. Each step
crops --patch squares at random, rotates/flips them, adds Gaussian noise of a sigma drawn per
patch from --sigma (0-255 scale, not clipped: the published benchmarks' protocol, docs/models-and-benchmarks.md)
and shows the model the noisy patch plus the constant plane sigma/255. Loss: mean squared error.
Training runs for --minutes of wall time; the learning rate follows a cosine over that time, so
a run ends annealed whatever the device's speed. The weights are saved every --save-every
seconds and at the end, with the grey benchmark (--bench) scored by the protocol above.

Usage:
  python3 scripts/train_torch.py --arch '{"kind":"unet","width":28,"levels":3,"blocks":2}' \\
    --data DATA/train/gray400 --data DATA/train/color432 \\
    --bench DATA/bench/Set12 --minutes 8 --out gray-unet.json
"""
import argparse
import base64
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

IMAGE_EXT = ('.png', '.jpg', '.jpeg', '.tif', '.tiff', '.bmp', '.webp')


def read_luma(path):
    """8-bit image -> float32 [H, W] in [0, 1]: grey as is, colour as (R+G+B)/3."""
    img = Image.open(path)
    if img.mode in ('L', 'I;16', 'I'):
        a = np.asarray(img.convert('L'), dtype=np.float32)
    else:
        a = np.asarray(img.convert('RGB'), dtype=np.float32).mean(axis=2)
    return a / 255.0


def image_files(folder):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.lower().endswith(IMAGE_EXT))


def tiles_of(img, tile):
    """Tiles covering the image (the last row/column shifted in to end at the border)."""
    h, w = img.shape
    if h < tile or w < tile:
        return []
    ys = sorted({min(y, h - tile) for y in range(0, h, tile)})
    xs = sorted({min(x, w - tile) for x in range(0, w, tile)})
    return [img[y:y + tile, x:x + tile] for y in ys for x in xs]


# ---- the networks (architectures.ts) -------------------------------------------------------------

def unshuffle(x):
    """Space-to-depth by 2, channel (dy*2+dx)*C + c as in layers.ts's NHWC PixelUnshuffle."""
    b, c, h, w = x.shape
    return x.reshape(b, c, h // 2, 2, w // 2, 2).permute(0, 3, 5, 1, 2, 4).reshape(b, 4 * c, h // 2, w // 2)


def shuffle(x):
    """Depth-to-space by 2, the inverse of unshuffle."""
    b, c4, h, w = x.shape
    c = c4 // 4
    return x.reshape(b, 2, 2, c, h, w).permute(0, 3, 4, 1, 5, 2).reshape(b, c, 2 * h, 2 * w)


class Net(torch.nn.Module):
    """A residual or U-Net denoiser with a noise-map input, convolutions named as in TypeScript."""

    def __init__(self, arch):
        super().__init__()
        self.arch = arch
        self.convs = torch.nn.ModuleDict()
        self.order = []
        ch = arch['channels']
        cin = ch + 1
        if arch['kind'] == 'residual':
            w, depth = arch['width'], arch['depth']
            middle = (depth - 2) // 2
            self._conv('c0', cin, w)
            for i in range(depth - 2):
                self._conv('code' if i == middle else f'c{i + 1}', w, w)
            self._conv('noise', w, ch, init_scale=0.01)
        elif arch['kind'] == 'unet':
            width, levels, blocks = arch['width'], arch['levels'], arch['blocks']
            c = 4 * cin
            for level in range(levels):
                if level > 0:
                    c *= 4
                for b in range(blocks + 1):
                    last = level == levels - 1 and b == blocks
                    self._conv('code' if last else f'e{level}_{b}', c, width)
                    c = width
                if level < levels - 1:
                    width *= 2
            for level in range(levels - 2, -1, -1):
                self._conv(f'u{level}', width, 4 * (width // 2))
                width //= 2
                for b in range(blocks):
                    self._conv(f'd{level}_{b}', width, width)
            self._conv('noise', width, 4 * ch, init_scale=0.01)
        else:
            raise SystemExit(f"unsupported architecture kind {arch['kind']!r} (residual or unet)")

    def _conv(self, name, cin, cout, init_scale=1.0):
        conv = torch.nn.Conv2d(cin, cout, 3, padding=1)
        torch.nn.init.kaiming_normal_(conv.weight, nonlinearity='relu')
        conv.weight.data *= init_scale
        torch.nn.init.zeros_(conv.bias)
        self.convs[name] = conv
        self.order.append(name)

    def forward(self, x):
        a, cv = self.arch, self.convs
        image = x[:, :a['channels']]
        if a['kind'] == 'residual':
            h = x
            for name in self.order[:-1]:
                h = F.relu(cv[name](h))
            return image - cv['noise'](h)
        h = unshuffle(x)
        skips = []
        for level in range(a['levels']):
            if level > 0:
                h = unshuffle(h)
            for b in range(a['blocks'] + 1):
                last = level == a['levels'] - 1 and b == a['blocks']
                h = F.relu(cv['code' if last else f'e{level}_{b}'](h))
            skips.append(h)
        for level in range(a['levels'] - 2, -1, -1):
            h = shuffle(F.relu(cv[f'u{level}'](h))) + skips[level]
            for b in range(a['blocks']):
                h = F.relu(cv[f'd{level}_{b}'](h))
        return image - shuffle(cv['noise'](h))


def size_multiple(arch):
    return 1 if arch['kind'] == 'residual' else 2 ** arch['levels']


# ---- weights in and out ----------------------------------------------------------------------

def export_weights(net):
    """{name: kernel [k,k,cin,cout] (tfjs order) and bias}, as little-endian float32 in base64."""
    layers = []
    for name in net.order:
        conv = net.convs[name]
        kernel = conv.weight.detach().float().permute(2, 3, 1, 0).contiguous().cpu().numpy()
        bias = conv.bias.detach().float().cpu().numpy()
        layers.append({
            'name': name,
            'kernelShape': list(kernel.shape),
            'kernel': base64.b64encode(kernel.astype('<f4').tobytes()).decode(),
            'bias': base64.b64encode(bias.astype('<f4').tobytes()).decode(),
        })
    return layers


def load_export(path, net):
    """Starts from this script's own output (.json or .json.gz), convolutions by name."""
    with (gzip.open(path, 'rt') if path.endswith('.gz') else open(path)) as f:
        layers = {l['name']: l for l in json.load(f)['layers']}
    if sorted(layers) != sorted(net.order):
        raise SystemExit(f'{path}: convolutions {sorted(layers)}, this architecture has {sorted(net.order)}')
    for name in net.order:
        conv, l = net.convs[name], layers[name]
        kernel = np.frombuffer(base64.b64decode(l['kernel']), dtype='<f4').reshape(l['kernelShape'])
        if tuple(kernel.shape) != tuple(conv.weight.permute(2, 3, 1, 0).shape):
            raise SystemExit(f'{path}: convolution {name} has shape {kernel.shape}')
        conv.weight.data.copy_(torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))
        conv.bias.data.copy_(torch.from_numpy(np.frombuffer(base64.b64decode(l['bias']), dtype='<f4').copy()))


def load_mend_model(folder, net):
    """Starts from a Mend model folder's weights (model.json + weights.bin): convolutions by name
    where the folder names them as architectures.ts does now, else (older residual models, whose
    layers had generated names) in order."""
    with open(os.path.join(folder, 'model.json')) as f:
        manifest = json.load(f)['weightsManifest'][0]['weights']
    data = np.fromfile(os.path.join(folder, 'weights.bin'), dtype='<f4')
    arrays, offset = {}, 0
    for spec in manifest:
        n = int(np.prod(spec['shape']))
        arrays[spec['name']] = data[offset:offset + n].reshape(spec['shape'])
        offset += n
    if len(arrays) != 2 * len(net.order):
        raise SystemExit(f'{folder}: {len(arrays) // 2} convolutions, this architecture has {len(net.order)}')
    named = all(f'{name}/kernel' in arrays for name in net.order)
    ordered = list(arrays.values())
    for i, name in enumerate(net.order):
        kernel, bias = (arrays[f'{name}/kernel'], arrays[f'{name}/bias']) if named else (ordered[2 * i], ordered[2 * i + 1])
        conv = net.convs[name]
        if tuple(kernel.shape) != tuple(conv.weight.permute(2, 3, 1, 0).shape):
            raise SystemExit(f'{folder}: convolution {i} has shape {kernel.shape}, expected {tuple(conv.weight.permute(2, 3, 1, 0).shape)}')
        conv.weight.data.copy_(torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))
        conv.bias.data.copy_(torch.from_numpy(bias.copy()))


# ---- the benchmark protocol ------------------------------------------------------------------

def psnr8(out, clean):
    """Output clamped to [0,1] and rounded to 8 bits, against the 8-bit clean image."""
    out8 = np.round(np.clip(out, 0, 1) * 255)
    mse = np.mean((out8 - np.round(clean * 255)) ** 2)
    return 10 * math.log10(255 ** 2 / max(mse, 1e-10))


@torch.no_grad()
def bench(net, folder, sigmas, device):
    net.eval()
    torch.backends.cudnn.allow_tf32 = False  # full float32, as Mend runs the model
    rows = []
    images = [read_luma(f) for f in image_files(folder)]
    m = size_multiple(net.arch)
    for sigma in sigmas:
        rng = np.random.default_rng(1000 + sigma)
        scores = []
        for clean in images:
            noisy = clean + rng.standard_normal(clean.shape).astype(np.float32) * (sigma / 255)
            h, w = clean.shape
            ph, pw = (-h) % m, (-w) % m
            x = torch.from_numpy(np.stack([noisy, np.full_like(noisy, sigma / 255)]))[None].to(device)
            x = F.pad(x, (0, pw, 0, ph), mode='reflect') if ph or pw else x
            out = net(x)[0, 0, :h, :w].float().cpu().numpy()
            scores.append(psnr8(out, clean))
        rows.append({'set': os.path.basename(folder.rstrip('/')), 'sigma': sigma, 'images': len(images), 'psnr': round(float(np.mean(scores)), 4)})
    net.train()
    return rows


# ---- training --------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--arch', required=True, help='JSON architecture spec (card.json "arch"; channels 1, noise-map)')
    ap.add_argument('--data', action='append', required=True, help='folder of training images (repeatable)')
    ap.add_argument('--bench', help='folder of grey benchmark images scored at the end (e.g. Set12)')
    ap.add_argument('--init', help="Mend model folder, or this script's output, to start from (same architecture)")
    ap.add_argument('--out', required=True, help='output JSON, gzipped if it ends in .gz (weights and training record)')
    ap.add_argument('--minutes', type=float, default=8)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--patch', type=int, default=128)
    ap.add_argument('--tile', type=int, default=180)
    ap.add_argument('--sigma', default='0-55', help='noise sigma range, 0-255 scale')
    ap.add_argument('--lr', type=float, default=1e-3)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--save-every', type=float, default=90, help='seconds between saved checkpoints')
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    args = ap.parse_args()

    arch = {'channels': 1, 'codeActivation': 'relu', 'conditioning': 'noise-map', **json.loads(args.arch)}
    if arch['channels'] != 1 or arch['conditioning'] != 'noise-map' or arch['codeActivation'] != 'relu':
        raise SystemExit('this trainer makes grey denoisers: channels 1, conditioning noise-map, codeActivation relu')
    lo, hi = (float(v) for v in (args.sigma.split('-') + [args.sigma])[:2])
    if args.patch % size_multiple(arch) or args.patch > args.tile:
        raise SystemExit(f'--patch must be a multiple of {size_multiple(arch)} and at most --tile')

    torch.manual_seed(args.seed)
    dev = torch.device(args.device)
    cuda = dev.type == 'cuda'
    if cuda:
        torch.backends.cudnn.benchmark = True

    files = [f for folder in args.data for f in image_files(folder)]
    tiles = [t for f in files for t in tiles_of(read_luma(f), args.tile)]
    if not tiles:
        raise SystemExit('no training image is at least --tile pixels on each side')
    pool = torch.from_numpy(np.round(np.stack(tiles) * 255).astype(np.uint8)).to(dev)
    print(f'{len(files)} images -> {len(tiles)} tiles of {args.tile}x{args.tile}', flush=True)

    net = Net(arch).to(dev)
    if args.init:
        (load_export if args.init.endswith(('.json', '.json.gz')) else load_mend_model)(args.init, net)
    if cuda:
        net = net.to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    params = sum(p.numel() for p in net.parameters())
    print(f"{arch} params {params}", flush=True)

    budget = args.minutes * 60
    warmup = 300
    ar = torch.arange(args.patch, device=dev)
    n, b, p = pool.shape[0], args.batch, args.patch
    log, step, t0, saved_at = [], 0, time.time(), time.time()
    record = {}

    def save(final):
        record.update({
            'arch': arch, 'params': params, 'steps': step, 'batch': b, 'patch': p,
            'noise': f'gaussian:{args.sigma}', 'wallSeconds': round(time.time() - t0, 1),
            'patchesPerSecond': round(step * b / max(time.time() - t0, 1e-9), 1),
            'backend': f'PyTorch {torch.__version__} on {torch.cuda.get_device_name(dev) if cuda else "CPU"}'
                       + (' (bf16 autocast)' if cuda else ''),
            'data': args.data, 'images': len(files), 'tiles': len(tiles), 'init': args.init,
            'command': 'python3 scripts/train_torch.py ' + ' '.join(sys.argv[1:]),
            'lossLog': log, 'final': final, 'layers': export_weights(net),
        })
        tmp = args.out + '.tmp'
        with (gzip.open(tmp, 'wt') if args.out.endswith('.gz') else open(tmp, 'w')) as f:
            json.dump(record, f)
        os.replace(tmp, args.out)

    while True:
        frac = (time.time() - t0) / budget
        if frac >= 1:
            break
        lr = args.lr * min(1.0, (step + 1) / warmup) * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * frac)))
        for g in opt.param_groups:
            g['lr'] = lr
        idx = torch.randint(n, (b,), device=dev)
        oy = torch.randint(args.tile - p + 1, (b,), device=dev)
        ox = torch.randint(args.tile - p + 1, (b,), device=dev)
        clean = pool[idx[:, None, None], (oy[:, None] + ar)[:, :, None], (ox[:, None] + ar)[:, None, :]].float() / 255
        clean = torch.rot90(clean, int(torch.randint(4, (1,))), (1, 2))
        if torch.rand(1).item() < 0.5:
            clean = clean.flip(2)
        clean = clean[:, None]
        sigma = (lo + (hi - lo) * torch.rand(b, 1, 1, 1, device=dev)) / 255
        noisy = clean + torch.randn_like(clean) * sigma
        x = torch.cat([noisy, sigma.expand_as(noisy)], 1)
        if cuda:
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=cuda):
            out = net(x)
        loss = F.mse_loss(out.float(), clean)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 0.5)
        opt.step()
        step += 1
        if step % 250 == 0:
            psnr = -10 * math.log10(max(loss.item(), 1e-12))
            log.append([step, round(time.time() - t0, 1), round(psnr, 3)])
            if step % 2500 == 0:
                print(f'step {step} {time.time() - t0:.0f}s lr {lr:.2e} train psnr {psnr:.2f}', flush=True)
        if time.time() - saved_at > args.save_every:
            save(False)
            saved_at = time.time()

    if args.bench:
        record['bench'] = bench(net.float(), args.bench, [15, 25, 50], dev)
        print('bench', record['bench'], flush=True)
    save(True)
    print(f'done: {step} steps in {time.time() - t0:.0f}s, {step * b / (time.time() - t0):.0f} patches/s', flush=True)


if __name__ == '__main__':
    main()
