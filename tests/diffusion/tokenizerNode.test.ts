import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeDefinition, RunContext } from '../../src/graph/nodeSpec.ts';
import { tokenizerClip } from '../../nodes/tokenizer/clip.ts';
import { ClipTokenizer } from '../../src/diffusion/clipTokenizer.ts';
import { buildTokenizer, tokenizeReference, tokenizerFiles } from '../../src/toy/vocabulary.ts';

const SD15 = '../shared/data/clip-tokenizer-sd15';
const haveSd15 = existsSync(`${SD15}/vocab.json`);
if (!haveSd15) console.warn(`SKIP: ${SD15} is absent; the tokenizer/clip node test on the real folder is skipped`);

const services = { readFile: (path: string) => readFile(path).then((b) => new Uint8Array(b)) };
const ctxWith = (s: unknown): RunContext => ({ nodeId: 'tok', signal: new AbortController().signal, services: s } as RunContext);

async function load(path: string, s: unknown = services): Promise<ClipTokenizer> {
  const out = await (tokenizerClip as NodeDefinition).run(ctxWith(s), {}, { path });
  return (out as { tokenizer: ClipTokenizer }).tokenizer;
}

describe('tokenizer/clip node', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'latentloom-tok-'));
    writeFileSync(join(folder, 'tokenizer.json'), tokenizerFiles(buildTokenizer())['tokenizer.json']);
    writeFileSync(join(folder, 'tokenizer_config.json'), tokenizerFiles(buildTokenizer())['tokenizer_config.json']);
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it("loads the toy model's tokenizer.json and agrees with the toy's reference tokenizer", async () => {
    const tok = await load(folder);
    expect(tok).toBeInstanceOf(ClipTokenizer);
    const toy = buildTokenizer();
    expect([tok.bosTokenId, tok.eosTokenId, tok.padTokenId]).toEqual([toy.bosId, toy.eosId, toy.eosId]);
    for (const text of ['a red circle', 'A big BLUE square on a green background', 'one small purple triangle', '']) {
      expect(tok.encode(text).ids).toEqual(tokenizeReference(toy, text));
    }
  });

  it.runIf(haveSd15)('loads the SD 1.5 folder through services.readFile', async () => {
    const tok = await load(SD15);
    expect(tok.encode('a photo of a cat', { padding: false }).ids).toEqual([49406, 320, 1125, 539, 320, 2368, 49407]);
  });

  it('reports a missing path, host service or folder, naming the node', async () => {
    await expect(load('  ')).rejects.toThrow(/tokenizer\/clip \(node "tok"\): param `path` is empty/);
    await expect(load(folder, {})).rejects.toThrow(/tokenizer\/clip \(node "tok"\): this host cannot read local files/);
    await expect(load('/no/such/folder')).rejects.toThrow(/tokenizer\/clip \(node "tok"\): \/no\/such\/folder: no tokenizer files found/);
  });
});
