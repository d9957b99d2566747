import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodePng, readPngText } from '../../src/tensor/png.ts';
import { writeCopyGraph } from '../fixtures/copyGraph.ts';
import { PNG_GRAPH_KEYWORD } from '../../nodes/image/save.ts';
import { runCli } from '../../src/cli/cli.ts';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/latentloom.mjs');
const FIX = join(__dirname, 'fixtures');

/** The real command: spawns bin/latentloom.mjs (slow, so kept to the checks that need a process). */
function spawnCli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The same command in-process (what main.ts calls), capturing stdout and stderr. */
async function cli(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { print: (l) => (stdout += `${l}\n`), log: (l) => (stderr += `${l}\n`) });
  return { code, stdout, stderr };
}
const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'll-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** image/load of a generated 3×2 PNG → image/save, written into the temp folder. */
function imageGraph(): string {
  return writeCopyGraph(dir, 'image-graph.json');
}

describe('latentloom validate', () => {
  it('exits 0 on a valid graph', async () => {
    const r = spawnCli('validate', join(FIX, 'zone-sum.json'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid (7 nodes, 7 edges)');
  });

  it('exits 1 listing every issue of an invalid graph, without a stack trace', async () => {
    const r = spawnCli('validate', join(FIX, 'invalid.json'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[unknown-node-type] node "mystery"');
    expect(r.stdout).toContain('[missing-input] node "sum" port "a"');
    noStackTrace(r.stdout + r.stderr);
    const json = JSON.parse((await cli('validate', join(FIX, 'invalid.json'), '--json')).stdout);
    expect(json.ok).toBe(false);
    expect(json.issues.map((i: { code: string }) => i.code)).toContain('unknown-node-type');
  });

  it('exits 1 on a file that is not JSON or not there', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "format": ');
    const r = await cli('validate', bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[invalid-json]');
    const missing = await cli('validate', join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('no such file');
    noStackTrace(missing.stdout + missing.stderr);
  });

  it('exits 2 on bad usage', async () => {
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('run')).code).toBe(2);
    const badBackend = await cli('run', join(FIX, 'zone-sum.json'), '--backend', 'gpu');
    expect(badBackend.code).toBe(2);
    expect(badBackend.stderr).toContain('--backend must be node or wasm');
  });
});

describe('latentloom run', () => {
  it('prints one JSON object with node statuses and output values', async () => {
    const r = spawnCli('run', join(FIX, 'zone-sum.json'), '--output', 'result', '--set', 'count.value=5', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(true);
    expect(report.nodes).toHaveLength(7);
    for (const n of report.nodes) {
      expect(n.status).toBe('executed');
      expect(typeof n.ms).toBe('number');
    }
    expect(report.outputs).toEqual([{ node: 'result', files: [], values: { value: 11 } }]);
  });

  it('applies --set overrides by param kind', async () => {
    const r = await cli('run', join(FIX, 'zone-sum.json'), '--output', 'result', '--set', 'count.value=3', '--set', 'init.value=10', '--json');
    expect(JSON.parse(r.stdout).outputs[0].values.value).toBe(13);
    const unknown = await cli('run', join(FIX, 'zone-sum.json'), '--set', 'count.nope=3');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no param "nope"');
  });

  it('escapes control characters from the graph before they reach the terminal', () => {
    const evil = 'x\u001b]0;pwned\u0007\u001b[2J\u009b31m';
    const file = join(dir, 'evil-type.json');
    writeFileSync(file, JSON.stringify({
      format: 'latentloom.graph', version: 1, models: {}, edges: [],
      nodes: [{ id: `n${evil}`, type: `bad/${evil}`, version: 1, params: {} }],
    }));
    for (const args of [['validate', file], ['run', file]]) {
      const r = spawnCli(...args);
      expect(r.code, args[0]).toBe(1);
      const text = r.stdout + r.stderr;
      expect(text, args[0]).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
      expect(text, args[0]).toContain('\\u001b]0;pwned\\u0007');
    }
  });

  it('refuses prototype keys in --set like any unknown param or node', async () => {
    for (const set of ['count.__proto__=1', 'count.constructor=1', '__proto__.x=1', 'count.toString=1']) {
      const r = await cli('run', join(FIX, 'zone-sum.json'), '--output', 'result', '--set', set);
      expect(r.code, set).toBe(2);
      expect(r.stderr, set).toMatch(/has no (param|node)/);
    }
  });

  it('exits 1 with the issue list when an override makes the graph invalid', async () => {
    const r = await cli('run', join(FIX, 'zone-sum.json'), '--output', 'result', '--set', 'result.mode=sideways', '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.error.code).toBe('invalid-graph');
    expect(report.error.issues[0]).toMatchObject({ node: 'result' });
    noStackTrace(r.stdout + r.stderr);
  });

  it('refuses an invalid graph file with exit 1 and no stack trace', async () => {
    const r = await cli('run', join(FIX, 'invalid.json'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[unknown-node-type]');
    noStackTrace(r.stdout + r.stderr);
  });

  it('writes output PNGs into --out, carrying the (overridden) graph', async () => {
    const out = join(dir, 'out');
    const r = spawnCli('run', imageGraph(), '--out', out, '--set', 'save.filename_prefix=copied', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.outputs).toEqual([{ node: 'save', files: [join(out, 'copied_00001.png')] }]);
    expect(readdirSync(out)).toEqual(['copied_00001.png']);
    const bytes = new Uint8Array(readFileSync(join(out, 'copied_00001.png')));
    const png = decodePng(bytes);
    expect([png.width, png.height]).toEqual([3, 2]);
    expect([...png.data.slice(0, 4)]).toEqual([255, 0, 0, 255]);
    expect([...png.data.slice(20, 24)]).toEqual([70, 80, 90, 255]);
    const embedded = JSON.parse(readPngText(bytes)[PNG_GRAPH_KEYWORD]);
    expect(embedded.nodes.find((n: { id: string }) => n.id === 'save').params.filename_prefix).toBe('copied');
    // A saved PNG is itself a runnable graph file.
    expect((await cli('validate', join(out, 'copied_00001.png'))).code).toBe(0);
  });
});
