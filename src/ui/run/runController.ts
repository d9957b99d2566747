/**
 * Drives a run: snapshots the document, sends it to the engine, turns engine events into run
 * state, collects output images into the gallery, re-rolls "randomise after run" seeds, and
 * handles cancel and worker crashes. The document is never modified by a run except for those
 * seeds (an undoable edit, as in ComfyUI).
 */
import type { EngineEvent } from '../../engine/events.ts';
import type { EditorStore } from '../store/editorStore.ts';
import * as edits from '../store/docEdits.ts';
import { randomSeed } from '../widgets/numeric.ts';
import type { BackendChoice, EngineConnection } from './engineConnection.ts';
import { imagesFromOutputs, previewToPng, pngUrl } from './images.ts';
import type { RunStore } from './runStore.ts';

export const RANDOMIZED_SEEDS_KEY = 'randomizeSeeds';

export function randomizedSeedsOf(ui: { extra?: Record<string, unknown> } | undefined): string[] {
  const list = ui?.extra?.[RANDOMIZED_SEEDS_KEY];
  return Array.isArray(list) ? list.filter((k): k is string => typeof k === 'string') : [];
}

export class RunController {
  private active = false;
  private previewPending = false;

  constructor(
    private readonly engine: EngineConnection,
    private readonly store: EditorStore,
    private readonly runs: RunStore,
    private readonly backend: () => BackendChoice,
  ) {}

  get running(): boolean {
    return this.active;
  }

  async run(outputs?: string[]): Promise<void> {
    if (this.active) return;
    this.active = true;
    const doc = this.store.getSnapshot().doc;
    this.runs.begin([]);
    try {
      const result = await this.engine.run(doc, { outputs, backend: this.backend() }, (e) => this.onEvent(e));
      for (const [nodeId, values] of Object.entries(result.outputs ?? {})) {
        for (const image of imagesFromOutputs(values, doc)) {
          this.runs.addImage({ nodeId, url: pngUrl(image.png), png: image.png, width: image.width, height: image.height });
        }
      }
      const cancelled = result.error?.code === 'cancelled';
      this.runs.end(result.ok ? {} : { cancelled, error: cancelled ? undefined : describeError(result.error) });
      if (result.ok) this.rerollSeeds();
    } catch (e) {
      this.runs.end({ error: e instanceof Error ? e.message : String(e) });
    } finally {
      this.active = false;
    }
  }

  cancel(): void {
    if (this.active) this.engine.cancel();
  }

  private onEvent(e: EngineEvent): void {
    switch (e.type) {
      case 'run-start':
        this.runs.begin(e.nodes);
        break;
      case 'node-start':
        this.runs.nodeStart(e.node);
        break;
      case 'node-progress':
        this.runs.nodeProgress(e.node, e.iteration ?? e.value, e.count ?? e.max);
        if (e.preview !== undefined && !this.previewPending) this.showPreview(e.node, e.preview);
        break;
      case 'node-finish':
        this.runs.nodeFinish(e.node, e.ms, e.cached);
        break;
      case 'node-error':
        this.runs.nodeError(e.node, e.code, e.message);
        break;
      default:
        break;
    }
  }

  /** Encodes at most one preview at a time so a fast sampler cannot flood the main thread. */
  private showPreview(node: string, preview: unknown): void {
    this.previewPending = true;
    requestAnimationFrame(() => {
      this.previewPending = false;
      const png = previewToPng(preview);
      if (png) this.runs.nodePreview(node, pngUrl(png));
    });
  }

  private rerollSeeds(): void {
    const snap = this.store.getSnapshot().doc;
    const keys = randomizedSeedsOf(snap.ui);
    const live = keys.filter((k) => {
      const [id, name] = splitKey(k);
      return snap.nodes.some((n) => n.id === id && name in n.params);
    });
    if (live.length === 0) return;
    this.store.edit('Randomise seeds after run', (d) => {
      for (const key of live) {
        const [id, name] = splitKey(key);
        edits.setParam(d, id, name, randomSeed());
      }
    });
  }
}

function splitKey(key: string): [string, string] {
  const dot = key.lastIndexOf('.');
  return [key.slice(0, dot), key.slice(dot + 1)];
}

function describeError(error: { node?: string; code: string; message: string } | undefined): string {
  if (!error) return 'unknown error';
  return error.node ? `${error.node}: ${error.message}` : error.message;
}
