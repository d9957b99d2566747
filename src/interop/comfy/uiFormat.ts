/**
 * Reduces a ComfyUI UI-format workflow (what the editor saves: `nodes` with `widgets_values`,
 * `links` as `[id, from, from_slot, to, to_slot, type]` or as objects) to the API form.
 * Reroutes are followed, muted nodes (mode 2) dropped with what they feed, bypassed nodes
 * (mode 4) pass their input of the link's type through, PrimitiveNode values go to the widget
 * inputs they feed, and UI-only nodes (notes) are left out.
 */
import { ComfyImportError, dict, type ComfyLink, type ComfyPrompt } from './types.ts';
import { readWidgets } from './widgets.ts';

interface UiInput { name?: unknown; type?: unknown; link?: unknown; widget?: unknown }
interface UiNode { id: unknown; type: string; mode?: unknown; pos?: unknown; title?: unknown; inputs?: unknown; widgets_values?: unknown }
interface UiLink { id: number; from: string; fromSlot: number; to: string; toSlot: number; type: string }

const MUTED = 2;
const BYPASSED = 4;
const UI_ONLY = new Set(['Note', 'MarkdownNote', 'PrimitiveNode', 'Reroute']);

type Source = { kind: 'link'; link: ComfyLink } | { kind: 'value'; value: unknown } | undefined;

function parseLinks(raw: unknown): Map<number, UiLink> {
  const links = new Map<number, UiLink>();
  if (!Array.isArray(raw)) return links;
  for (const l of raw) {
    let link: UiLink | undefined;
    if (Array.isArray(l) && l.length >= 5) {
      link = { id: Number(l[0]), from: String(l[1]), fromSlot: Number(l[2]), to: String(l[3]), toSlot: Number(l[4]), type: String(l[5] ?? '*') };
    } else if (l && typeof l === 'object') {
      const o = l as Record<string, unknown>;
      link = { id: Number(o.id), from: String(o.origin_id), fromSlot: Number(o.origin_slot), to: String(o.target_id), toSlot: Number(o.target_slot), type: String(o.type ?? '*') };
    }
    if (link && Number.isFinite(link.id)) links.set(link.id, link);
  }
  return links;
}

function inputsOf(node: UiNode): UiInput[] {
  return Array.isArray(node.inputs) ? (node.inputs as UiInput[]).filter((i) => i && typeof i === 'object') : [];
}

function widgetValues(node: UiNode): unknown[] {
  const w = node.widgets_values;
  if (Array.isArray(w)) return w;
  // Some nodes (video helpers) save an object of named values.
  return w && typeof w === 'object' ? Object.values(w as Record<string, unknown>) : [];
}

function positionOf(pos: unknown): [number, number] | undefined {
  const p = pos as Record<string, unknown> | undefined;
  const x = Array.isArray(pos) ? pos[0] : p?.[0];
  const y = Array.isArray(pos) ? pos[1] : p?.[1];
  return typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y) && Math.abs(x) < 1e7 && Math.abs(y) < 1e7 ? [x, y] : undefined;
}

export function uiToPrompt(workflow: Record<string, unknown>): ComfyPrompt {
  const nodes = new Map<string, UiNode>();
  for (const n of workflow.nodes as UiNode[]) nodes.set(String(n.id), n);
  const links = parseLinks(workflow.links);

  const resolve = (linkId: number, depth = 0): Source => {
    const link = links.get(linkId);
    if (!link) throw new ComfyImportError(`link ${linkId} is not in the workflow's links`);
    if (depth > 256) throw new ComfyImportError(`link ${linkId}: reroutes or bypassed nodes form a loop`);
    const from = nodes.get(link.from);
    if (!from) throw new ComfyImportError(`link ${linkId} comes from node ${link.from}, which is not in the workflow`, link.to);
    if (from.mode === MUTED) return undefined;
    const follow = (input: UiInput | undefined): Source =>
      input && typeof input.link === 'number' ? resolve(input.link, depth + 1) : undefined;
    if (from.type === 'Reroute') return follow(inputsOf(from)[0]);
    if (from.type === 'PrimitiveNode') return { kind: 'value', value: widgetValues(from)[0] };
    if (from.mode === BYPASSED) {
      // As ComfyUI does: the input at the same slot when its type matches, else the first of that type.
      const ins = inputsOf(from);
      const same = ins[link.fromSlot];
      const match = same && same.type === link.type ? same : ins.find((i) => i.type === link.type);
      return follow(match);
    }
    return { kind: 'link', link: [link.from, link.fromSlot] };
  };

  const prompt: ComfyPrompt = dict();
  for (const [id, node] of nodes) {
    if (UI_ONLY.has(node.type) || node.mode === MUTED || node.mode === BYPASSED) continue;
    const inputs: Record<string, unknown> = Object.assign(dict(), readWidgets(node.type, widgetValues(node)) ?? {});
    for (const input of inputsOf(node)) {
      if (typeof input.name !== 'string') continue;
      if (typeof input.link !== 'number') continue;
      let source: Source;
      try {
        source = resolve(input.link);
      } catch (error) {
        if (error instanceof ComfyImportError) throw new ComfyImportError(`node ${id} (${node.type}), input ${input.name}: ${error.message}`, id);
        throw error;
      }
      if (source?.kind === 'link') inputs[input.name] = source.link;
      else if (source?.kind === 'value') inputs[input.name] = source.value;
      else if (!input.widget) delete inputs[input.name];
    }
    const pos = positionOf(node.pos);
    prompt[id] = { class_type: node.type, inputs, ...(typeof node.title === 'string' ? { title: node.title } : {}), ...(pos ? { pos } : {}) };
  }
  return prompt;
}
