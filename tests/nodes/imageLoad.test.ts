import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jpeg from 'jpeg-js';
import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import type { NodeServices } from '../../nodes/services.ts';
import { imageLoad } from '../../nodes/image/load.ts';
import { applyOrientation, exifOrientation, readBodyCapped } from '../../nodes/image/decode.ts';
import { imageTensorToPng } from '../../src/tensor/image.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { cliServices } from '../../src/cli/services.ts';
import { defaultNetworkPolicy } from '../../src/security/network.ts';

const EXAMPLE_JPEG = join(process.cwd(), '../shared/data/vaelight/example1.jpg');
const hasExample = existsSync(EXAMPLE_JPEG);
if (!hasExample) console.warn(`image/load JPEG test skipped: ${EXAMPLE_JPEG} is absent (shared test data)`);

function context(services: NodeServices): RunContext {
  const log = { debug() {}, info() {}, warn() {} };
  return {
    nodeId: 'load',
    signal: new AbortController().signal,
    progress() {},
    log,
    services,
    graph: { format: 'latentloom.graph', version: 1, meta: {}, models: {}, nodes: [], edges: [] },
  };
}

const nodeFs: NodeServices = { readFile: async (path) => new Uint8Array(await readFile(path)) };

async function load(source: string, services: NodeServices = nodeFs) {
  const def = imageLoad as NodeDefinition;
  return (await def.run(context(services), {}, { source })) as {
    image: Tensor<'float32'>;
    mask: Tensor<'float32'>;
    width: number;
    height: number;
  };
}

/** A 4-channel test image whose bytes are exactly representable (k/255). */
function rgbaPattern(width: number, height: number): Tensor<'float32'> {
  const plane = width * height;
  const data = new Float32Array(4 * plane);
  for (let p = 0; p < plane; p++) {
    data[p] = ((p * 7) % 256) / 255;
    data[plane + p] = ((p * 13 + 5) % 256) / 255;
    data[2 * plane + p] = ((p * 29 + 11) % 256) / 255;
    data[3 * plane + p] = (p % 3 === 0 ? 0 : p % 3 === 1 ? 128 : 255) / 255;
  }
  return Tensor.float32([1, 4, height, width], data);
}

describe('image/load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latentloom-image-'));

  it('round-trips an RGBA PNG from a file: exact RGB, mask = 1 − alpha', async () => {
    const original = rgbaPattern(13, 9);
    const path = join(dir, 'pattern.png');
    writeFileSync(path, imageTensorToPng(original));
    const out = await load(path);
    expect(out.image.shape).toEqual([1, 3, 9, 13]);
    expect(out.mask.shape).toEqual([1, 1, 9, 13]);
    expect([out.width, out.height]).toEqual([13, 9]);
    const plane = 13 * 9;
    for (let i = 0; i < 3 * plane; i++) expect(out.image.data[i]).toBeCloseTo(original.data[i], 6);
    for (let p = 0; p < plane; p++) expect(out.mask.data[p]).toBeCloseTo(1 - original.data[3 * plane + p], 6);
  });

  it('reads a data: URL without any file access, and gives an all-zero mask for an opaque image', async () => {
    const rgb = Tensor.float32([1, 3, 2, 2], [0, 1, 1, 0, 0.2, 0.4, 0.6, 0.8, 1, 1, 0, 0].map((v) => Math.round(v * 255) / 255));
    const url = `data:image/png;base64,${Buffer.from(imageTensorToPng(rgb)).toString('base64')}`;
    const out = await load(url, {});
    for (let i = 0; i < 12; i++) expect(out.image.data[i]).toBeCloseTo(rgb.data[i], 6);
    expect([...out.mask.data]).toEqual([0, 0, 0, 0]);
  });

  it.skipIf(!hasExample)('decodes the example JPEG and survives a JPEG re-encode at quality 100', async () => {
    const out = await load(EXAMPLE_JPEG);
    expect(out.image.shape).toEqual([1, 3, 512, 512]);
    let mean = 0;
    for (const v of out.image.data) mean += v;
    mean /= out.image.size;
    expect(mean).toBeGreaterThan(0.05);
    expect(mean).toBeLessThan(0.95);
    // Re-encode what we decoded and load it again: a near-lossless round trip.
    const plane = 512 * 512;
    const rgba = new Uint8Array(plane * 4);
    for (let p = 0; p < plane; p++) {
      for (let c = 0; c < 3; c++) rgba[4 * p + c] = Math.round(out.image.data[c * plane + p] * 255);
      rgba[4 * p + 3] = 255;
    }
    const path = join(dir, 'again.jpg');
    writeFileSync(path, jpeg.encode({ width: 512, height: 512, data: rgba }, 100).data);
    const again = await load(path);
    let diff = 0;
    for (let i = 0; i < again.image.size; i++) diff += Math.abs(again.image.data[i] - out.image.data[i]);
    expect(diff / again.image.size).toBeLessThan(2 / 255);
  });

  /** A minimal big-endian EXIF body (after "Exif\\0"): TIFF header, IFD0 with one Orientation entry. */
  function exifWithOrientation(orientation: number): Uint8Array {
    return Uint8Array.from([
      0, 0x4d, 0x4d, 0, 42, 0, 0, 0, 8, // pad, "MM", 42, IFD0 at 8
      0, 1, // one entry
      0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, // Orientation, SHORT, 1 value
      0, 0, 0, 0, // no next IFD
    ]);
  }

  it('turns a JPEG upright by its EXIF orientation (6: rotate 90° clockwise)', async () => {
    // 16×8: left half red, right half blue (8×8 blocks survive JPEG chroma subsampling).
    const rgba = new Uint8Array(16 * 8 * 4);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 16; x++) {
        const o = (y * 16 + x) * 4;
        rgba.set(x < 8 ? [230, 20, 20, 255] : [20, 20, 230, 255], o);
      }
    }
    const encoded = jpeg.encode({ width: 16, height: 8, data: rgba, exifBuffer: exifWithOrientation(6) } as never, 95).data;
    const path = join(dir, 'rotated.jpg');
    writeFileSync(path, encoded);
    const out = await load(path);
    expect(out.image.shape).toEqual([1, 3, 16, 8]);
    const plane = 16 * 8;
    const red = (x: number, y: number) => out.image.data[y * 8 + x];
    const blue = (x: number, y: number) => out.image.data[2 * plane + y * 8 + x];
    // The left (red) half is now on top.
    expect(red(4, 3)).toBeGreaterThan(0.8);
    expect(blue(4, 3)).toBeLessThan(0.2);
    expect(blue(4, 12)).toBeGreaterThan(0.8);
    expect(red(4, 12)).toBeLessThan(0.2);
  });

  it('maps every EXIF orientation like Pillow’s exif_transpose', () => {
    // 3×2 image with pixel values 0..5 (in the red byte), row-major.
    const src = { width: 3, height: 2, data: Uint8Array.from([0, 1, 2, 3, 4, 5].flatMap((v) => [v, 0, 0, 255])) };
    const red = (o: number) => {
      const img = applyOrientation(src, o);
      return { w: img.width, h: img.height, v: [...img.data].filter((_, i) => i % 4 === 0) };
    };
    expect(red(1).v).toEqual([0, 1, 2, 3, 4, 5]);
    expect(red(2).v).toEqual([2, 1, 0, 5, 4, 3]);
    expect(red(3).v).toEqual([5, 4, 3, 2, 1, 0]);
    expect(red(4).v).toEqual([3, 4, 5, 0, 1, 2]);
    expect(red(5)).toEqual({ w: 2, h: 3, v: [0, 3, 1, 4, 2, 5] });
    expect(red(6)).toEqual({ w: 2, h: 3, v: [3, 0, 4, 1, 5, 2] });
    expect(red(7)).toEqual({ w: 2, h: 3, v: [5, 2, 4, 1, 3, 0] });
    expect(red(8)).toEqual({ w: 2, h: 3, v: [2, 5, 1, 4, 0, 3] });
    expect(exifOrientation(exifWithOrientation(8))).toBe(8);
    expect(exifOrientation(Uint8Array.from([1, 2, 3]))).toBe(1);
    expect(exifOrientation(undefined)).toBe(1);
  });

  it('downloads over http, and names the URL and status when the server refuses', async () => {
    const original = rgbaPattern(5, 4);
    const png = imageTensorToPng(original);
    const server = createServer((req, res) => {
      if (req.url === '/cat.png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.from(png));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    // The server is on loopback: the CLI's fetch with --allow-private-network reaches it.
    const { fetchUrl } = cliServices(dir, undefined, { network: defaultNetworkPolicy({ allowPrivateNetwork: true }) });
    try {
      const out = await load(`http://127.0.0.1:${port}/cat.png`, { fetchUrl });
      expect(out.image.shape).toEqual([1, 3, 4, 5]);
      for (let i = 0; i < 3 * 20; i++) expect(out.image.data[i]).toBeCloseTo(original.data[i], 6);
      await expect(load(`http://127.0.0.1:${port}/dog.png`, { fetchUrl })).rejects.toThrow(/could not download http:\/\/127\.0\.0\.1:\d+\/dog\.png: HTTP 404/);
      // A host without fetchUrl (the browser worker) refuses loopback by its literal address.
      await expect(load(`http://127.0.0.1:${port}/cat.png`, {})).rejects.toThrow(/refused: it is a loopback address/);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });

  it('stops a download at the size cap: a declared length over it, or an endless body', async () => {
    let endlessSent = 0;
    const server = createServer((req, res) => {
      if (req.url === '/declared.png') {
        res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
        res.end();
      } else {
        // No Content-Length: chunks until the client goes away.
        res.writeHead(200, { 'content-type': 'image/png' });
        const chunk = Buffer.alloc(64 * 1024, 7);
        const pump = () => {
          while (!res.destroyed && endlessSent < 64 * 1024 * 1024 && res.write(chunk)) endlessSent += chunk.length;
          if (!res.destroyed && endlessSent < 64 * 1024 * 1024) res.once('drain', pump);
        };
        res.on('close', () => res.destroy());
        pump();
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const { fetchUrl } = cliServices(dir, undefined, { network: defaultNetworkPolicy({ allowPrivateNetwork: true }) });
    try {
      const declared = await fetchUrl!(`http://127.0.0.1:${port}/declared.png`, { purpose: 'image' });
      await expect(readBodyCapped(declared, 1024 * 1024, 'declared.png')).rejects.toThrow('could not download declared.png: the image is 10 MiB, over the 1 MiB limit for an image');
      const endless = await fetchUrl!(`http://127.0.0.1:${port}/endless.png`, { purpose: 'image' });
      await expect(readBodyCapped(endless, 1024 * 1024, 'endless.png')).rejects.toThrow('could not download endless.png: the image is more than 1 MiB, over the 1 MiB limit for an image');
      // The reader let go soon after the cap, not after the server's 64 MiB.
      expect(endlessSent).toBeLessThan(16 * 1024 * 1024);
      const small = new Response(new Uint8Array([1, 2, 3]));
      expect(Array.from(await readBodyCapped(small, 1024, 'small'))).toEqual([1, 2, 3]);
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });

  it('names the node and the file when the file is missing or not an image', async () => {
    await expect(load(join(dir, 'nope.png'))).rejects.toThrow(/image\/load \(node "load"\).*could not read image file ".*nope\.png"/);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello');
    await expect(load(text)).rejects.toThrow(/notes\.txt: not a PNG or JPEG file/);
  });

  it('says so when the host gives no file access or the source is empty', async () => {
    await expect(load('/some/file.png', {})).rejects.toThrow(/no file access/);
    await expect(load('  ')).rejects.toThrow(/`source` param is empty/);
  });
});
