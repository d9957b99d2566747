/**
 * Runs queued prompts with one in-process engine (its cache shared across prompts, as ComfyUI's
 * is) and reports the run as ComfyUI's WebSocket messages under the prompt's own node ids:
 * `executing` when a prompt node starts, `progress` per sampler step, binary latent previews,
 * `execution_cached`, `executed` with the output images, then success, error or interrupted.
 */
import { relative, sep } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import type { EngineEvent, RunOptions } from '../engine/events.ts';
import type { NodeRegistry } from '../graph/registry.ts';
import type { GraphNode } from '../graph/document.ts';
import { writeNumberedFile } from '../cli/outputFiles.ts';
import { encodePng } from '../tensor/png.ts';
import { toRgbaPreview } from '../worker/preview.ts';
import type { ExecutionOutcome, ImageRef, MessageSink, NodeOutput, PromptExecutor, QueuedPrompt } from './promptQueue.ts';

/** ComfyUI's binary frame types and image formats (big-endian u32 each, then the image bytes). */
export const BINARY_PREVIEW_IMAGE = 1;
export const PREVIEW_FORMAT_JPEG = 1;
export const PREVIEW_FORMAT_PNG = 2;

/**
 * Previews are sent for the first step, then at most one per PREVIEW_INTERVAL_MS (and the last
 * step): a viewer gains nothing from more, and a fast sampler should not spend its time encoding.
 */
export const PREVIEW_INTERVAL_MS = 100;

export interface EngineExecutorOptions {
  engine: Engine;
  registry: NodeRegistry;
  outDir: string;
  /** Where PreviewImage's pictures go (`type: "temp"` in /view). */
  tempDir: string;
  /**
   * An output node's pictures for `executed` and the history. Default: SaveImage's files (under
   * outDir) and PreviewImage's PNGs, written to tempDir. A queue worker keeps the bytes instead.
   */
  images?: (node: GraphNode, ports: Record<string, unknown>) => Promise<ImageRef[]>;
  /** The latent preview hook (RunOptions.zonePreview); none: no binary previews. */
  zonePreview?: RunOptions['zonePreview'];
}

/** ComfyUI's preview frame: type 1, format 2 (PNG), the PNG. */
export function previewFrame(png: Uint8Array): Uint8Array {
  const frame = new Uint8Array(8 + png.byteLength);
  const view = new DataView(frame.buffer);
  view.setUint32(0, BINARY_PREVIEW_IMAGE);
  view.setUint32(4, PREVIEW_FORMAT_PNG);
  frame.set(png, 8);
  return frame;
}

function imageRef(root: string, file: string, type: ImageRef['type']): ImageRef {
  const rel = relative(root, file).split(sep);
  const filename = rel.pop()!;
  return { filename, subfolder: rel.join('/'), type };
}

/** The default of EngineExecutorOptions.images: files as they were written, previews into tempDir. */
function localImages(outDir: string, tempDir: string) {
  return async (_node: GraphNode, ports: Record<string, unknown>): Promise<ImageRef[]> => {
    const images: ImageRef[] = [];
    if (Array.isArray(ports.files)) {
      for (const f of ports.files) if (typeof f === 'string') images.push(imageRef(outDir, f, 'output'));
    } else if (Array.isArray(ports.png)) {
      for (const png of ports.png) {
        if (png instanceof Uint8Array) images.push(imageRef(tempDir, await writeNumberedFile(tempDir, 'LatentLoom_temp', '.png', png), 'temp'));
      }
    }
    return images;
  };
}

export function createEngineExecutor(options: EngineExecutorOptions): PromptExecutor {
  const { engine, registry } = options;
  const collectImages = options.images ?? localImages(options.outDir, options.tempDir);

  return async (item: QueuedPrompt, signal: AbortSignal, sink: MessageSink): Promise<ExecutionOutcome> => {
    const { graph, origins, classes } = item.accepted;
    const promptIdOf = (node: string) => (Object.hasOwn(origins, node) ? origins[node] : node);
    // Prompt nodes folded into their consumers (EmptyLatentImage into the sampler's noise) have
    // no LatentLoom node of their own: they count as cached when everything else is.
    const llNodesOf = new Map<string, string[]>(Object.keys(classes).map((id) => [id, []]));
    for (const node of graph.nodes) {
      const id = promptIdOf(node.id);
      llNodesOf.set(id, [...(llNodesOf.get(id) ?? []), node.id]);
    }
    let executing: string | undefined;
    let lastPreview = -Infinity;
    const executed = new Set<string>();

    const onEvent = (event: EngineEvent) => {
      if (event.type === 'node-start') {
        const id = promptIdOf(event.node);
        if (id !== executing) {
          executing = id;
          sink.send('executing', { node: id, display_node: id });
        }
      } else if (event.type === 'node-finish') {
        executed.add(promptIdOf(event.node));
      } else if (event.type === 'node-progress') {
        const id = promptIdOf(event.node);
        const value = event.iteration ?? event.value;
        const max = event.count ?? event.max;
        if (event.previewIteration === undefined) sink.send('progress', { value, max, node: id });
        // Encoded only when the prompt's client is connected to receive it.
        const now = performance.now();
        const due = now - lastPreview >= PREVIEW_INTERVAL_MS || (event.iteration !== undefined && event.iteration === event.count);
        if (event.preview !== undefined && due && sink.wantsBinary()) {
          const rgba = toRgbaPreview(event.preview);
          if (rgba) {
            lastPreview = now;
            sink.sendBinary(previewFrame(encodePng({ width: rgba.width, height: rgba.height, channels: 4, data: rgba.data }, { level: 1 })));
          }
        }
      }
    };

    const runStart = performance.now();
    const result = await engine.run(graph, {
      signal,
      onEvent,
      ...(options.zonePreview ? { zonePreview: options.zonePreview } : {}),
    });

    const engineMs = performance.now() - runStart;
    // Prompt nodes all of whose LatentLoom nodes came from the cache.
    const isCached = (n: string) => result.nodes[n]?.status === 'cached';
    const allCached = graph.nodes.every((n) => isCached(n.id));
    const cached = [...llNodesOf.entries()]
      .filter(([, nodes]) => (nodes.length === 0 ? allCached : nodes.every(isCached)))
      .map(([id]) => id);
    if (cached.length > 0) sink.send('execution_cached', { nodes: cached });

    const outputs: Record<string, NodeOutput> = {};
    for (const [node, ports] of Object.entries(result.outputs)) {
      const id = promptIdOf(node);
      const graphNode = graph.nodes.find((n) => n.id === node);
      if (!graphNode) continue;
      const images = await collectImages(graphNode, ports);
      if (images.length === 0 && registry.get(graphNode.type)?.isOutput !== true) continue;
      const entry = (outputs[id] ??= {});
      entry.images = [...(entry.images ?? []), ...images];
    }
    for (const [id, output] of Object.entries(outputs)) sink.send('executed', { node: id, display_node: id, output });

    if (result.ok) {
      // `engine_ms` (LatentLoom's own, ComfyUI clients ignore it): the engine's run time of the prompt.
      sink.send('execution_success', { engine_ms: Math.round(engineMs * 100) / 100 });
      return { status: 'success', outputs };
    }
    const error = result.error!;
    const nodeId = error.node !== undefined ? promptIdOf(error.node) : null;
    const nodeType = nodeId !== null && Object.hasOwn(classes, nodeId) ? classes[nodeId] : null;
    const done = [...executed].filter((id) => id !== nodeId);
    if (error.code === 'cancelled' || signal.aborted) {
      sink.send('execution_interrupted', { node_id: nodeId ?? executing ?? null, node_type: nodeType, executed: done });
      return { status: 'interrupted', outputs };
    }
    sink.send('execution_error', {
      node_id: nodeId, node_type: nodeType, executed: done,
      exception_message: error.message, exception_type: error.code, traceback: [],
      current_inputs: {}, current_outputs: {},
    });
    return { status: 'error', outputs };
  };
}
