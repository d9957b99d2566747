/**
 * The onnxruntime-node backend turns onnxruntime's telemetry off (src/runtime/backends/ortTelemetry.ts)
 * unless the user set ORT_DISABLE_TELEMETRY: a real session is created in a child process whose
 * HOME is a fresh folder, and the telemetry store onnxruntime writes there is looked for.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
const STORE = join('.cache', 'Microsoft', 'DeveloperTools', '.onnxruntime');

/** Creates one toy session through createNodeBackend in a child process; returns the child's HOME. */
function sessionInChild(extraEnv: Record<string, string> = {}): string {
  const home = mkdtempSync(join(tmpdir(), 'latentloom-ort-home-'));
  const script = `
    import { createNodeBackend } from './src/runtime/backends/node.ts';
    import { createNodeRuntime } from './src/runtime/node/index.ts';
    import { packageFileRef } from './src/runtime/handles.ts';
    const runtime = createNodeRuntime({ backend: createNodeBackend() });
    const pkg = await runtime.openPackage({ source: 'builtin:toy-shapes' });
    await runtime.session(packageFileRef(pkg, 'vae_decoder/model.onnx'));
    await runtime.release();
    console.log('session created');
  `;
  // A bare environment: onnxruntime also keeps quiet when it sees CI variables, which would hide the store.
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: home, ...extraEnv },
    encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe('session created');
  return home;
}

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

it('creating a session writes no telemetry store', () => {
  const home = sessionInChild();
  homes.push(home);
  expect(existsSync(join(home, '.cache'))).toBe(false);
});

it('ORT_DISABLE_TELEMETRY set by the user is kept (0: onnxruntime writes its store)', () => {
  const home = sessionInChild({ ORT_DISABLE_TELEMETRY: '0' });
  homes.push(home);
  expect(existsSync(join(home, STORE))).toBe(true);
});
