/**
 * image/load of a local file is cached by the file's current identity, not only its path: a file
 * rewritten on disk is read again, an unchanged one is still served from the cache. Both host
 * styles: the CLI's services (size + mtime stamp) and a host with only readFile (content hash).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../../src/engine/index.ts';
import type { GraphDocument } from '../../src/graph/document.ts';
import { defaultRegistry } from '../../nodes/index.ts';
import { cliServices } from '../../src/cli/services.ts';
import { encodePng } from '../../src/tensor/png.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'll-filesig-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const png = (width: number, height: number) => encodePng({ width, height, channels: 3, data: new Uint8Array(width * height * 3).fill(90) });

function graphFor(path: string): GraphDocument {
  return {
    format: 'latentloom.graph', version: 1, meta: {}, models: {},
    nodes: [{ id: 'load', type: 'image/load', version: 1, params: { source: path }, ui: { x: 0, y: 0 } }],
    edges: [],
  };
}

const hosts = {
  'CLI services (file stamp)': () => cliServices(join(dir, 'out'), undefined, { graphDir: dir }),
  'readFile only (content hash)': () => ({ readFile: async (p: string) => new Uint8Array(await readFile(p)) }),
};

describe('image/load signature follows the file on disk', () => {
  for (const [name, services] of Object.entries(hosts)) {
    it(name, async () => {
      const path = join(dir, `${name.length}.png`);
      writeFileSync(path, png(3, 2));
      const engine = createEngine({ registry: defaultRegistry(), services: services() });
      const first = await engine.run(graphFor(path), { outputs: ['load'] });
      expect(first.outputs.load.width).toBe(3);
      const again = await engine.run(graphFor(path), { outputs: ['load'] });
      expect(again.nodes.load.status).toBe('cached');

      writeFileSync(path, png(5, 4));
      const later = new Date(Date.now() + 5000);
      utimesSync(path, later, later);
      const changed = await engine.run(graphFor(path), { outputs: ['load'] });
      expect(changed.nodes.load.status).not.toBe('cached');
      expect(changed.outputs.load.width).toBe(5);
      expect(changed.outputs.load.height).toBe(4);
    });
  }
});
