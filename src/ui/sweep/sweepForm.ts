/**
 * The Sweep panel's form as plain data: the swept params (one or two) with their values, which
 * outputs to collect and what to plot, read from and written back to the graph's
 * `meta.extra.sweep`; and the choices the pickers offer for a document. Pure.
 */
import type { GraphDocument } from '../../graph/document.ts';
import type { SweepDefinition } from '../../metrics/sweepResults.ts';
import type { NodeTypeInfo } from '../catalog.ts';

export interface SweepForm {
  axes: { param: string; values: string }[];
  zip: boolean;
  metrics: string[];
  plotParam: string;
  plotMetric: string;
  scatterX: string;
  scatterY: string;
}

type TypeInfo = (type: string) => Pick<NodeTypeInfo, 'params' | 'outputs' | 'category'> | undefined;

/** Param kinds a sweep can vary (a value written as text): numbers, seeds, text, choices, switches. */
const SWEEPABLE = new Set(['int', 'float', 'seed', 'string', 'enum', 'boolean']);

/**
 * The choices a picker lists at most: a huge graph (19,000 nodes) would otherwise put tens of
 * thousands of options in each picker; a stored sweep's own params are shown even past the cap.
 */
export const MAX_CHOICES = 500;

/** `node.param` of every param a sweep can vary, numbers first (what one sweeps most). */
export function paramChoices(doc: GraphDocument, info: TypeInfo, limit = MAX_CHOICES): string[] {
  const numbers: string[] = [];
  const others: string[] = [];
  for (const node of doc.nodes) {
    if (numbers.length >= limit) break;
    for (const [name, spec] of Object.entries(info(node.type)?.params ?? {})) {
      if (!SWEEPABLE.has(spec.kind)) continue;
      (['int', 'float', 'seed'].includes(spec.kind) ? numbers : others).push(`${node.id}.${name}`);
    }
  }
  return [...numbers, ...others].slice(0, limit);
}

/** `node.port` of the number outputs of metric nodes (CLIP score, FID…) and of any leaf node; metric nodes first. */
export function metricChoices(doc: GraphDocument, info: TypeInfo, limit = MAX_CHOICES): string[] {
  const feeding = new Set(doc.edges.map((e) => e.from.node));
  const metrics: string[] = [];
  const leaves: string[] = [];
  for (const node of doc.nodes) {
    const type = info(node.type);
    if (!type) continue;
    const isMetric = type.category === 'metrics';
    if (!isMetric && (feeding.has(node.id) || leaves.length >= limit)) continue;
    for (const [port, spec] of Object.entries(type.outputs)) if (spec.type === 'FLOAT' || spec.type === 'INT') (isMetric ? metrics : leaves).push(`${node.id}.${port}`);
  }
  return [...metrics, ...leaves].slice(0, limit);
}

/** The form for a document: its stored sweep, or a first guess (the first number param, its first metrics). */
export function formFor(definition: SweepDefinition | undefined, params: readonly string[], metrics: readonly string[]): SweepForm {
  const axes = definition?.axes.map((a) => ({ ...a })) ?? [{ param: params[0] ?? '', values: '1..4' }];
  const chosen = definition?.metrics ?? [...metrics];
  const plot = definition?.plot ?? {};
  return {
    axes,
    zip: definition?.zip ?? false,
    metrics: chosen,
    plotParam: plot.param ?? axes[0]?.param ?? '',
    plotMetric: plot.metric ?? chosen[0] ?? '',
    scatterX: plot.x ?? '',
    scatterY: plot.y ?? '',
  };
}

/** The form as the definition stored in `meta.extra.sweep` (empty second axis left out). */
export function definitionOf(form: SweepForm): SweepDefinition {
  const axes = form.axes.filter((a) => a.param !== '').map((a) => ({ param: a.param, values: a.values.trim() }));
  const plot: NonNullable<SweepDefinition['plot']> = {};
  if (form.plotParam) plot.param = form.plotParam;
  if (form.plotMetric) plot.metric = form.plotMetric;
  if (form.scatterX && form.scatterY) Object.assign(plot, { x: form.scatterX, y: form.scatterY });
  return { axes, ...(form.zip ? { zip: true } : {}), ...(form.metrics.length ? { metrics: [...form.metrics] } : {}), ...(Object.keys(plot).length ? { plot } : {}) };
}
