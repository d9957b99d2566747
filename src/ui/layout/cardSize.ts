/**
 * A node card's box before the browser has drawn it, from the node's type description: what the
 * auto-layout spaces cards by and what the shipped-graph overlap test checks. The figures follow
 * theme.css (a card is 220 px wide; header, status strip, 20 px port rows, one widget per param)
 * and were checked against cards measured in Chromium; they err on the large side so that
 * boxes laid out apart stay apart once drawn.
 */
import type { GraphNode } from '../../graph/document.ts';
import type { ParamSpec, PortMap } from '../../graph/nodeSpec.ts';
import { sliderRange } from '../widgets/numeric.ts';
import { SUBGRAPH_TYPE } from '../../graph/document.ts';

export interface CardType {
  params: Record<string, ParamSpec>;
  isOutput?: boolean;
}

export interface Size {
  width: number;
  height: number;
}

export const CARD_WIDTH = 220;
const HEADER = 26;
const STATUS_STRIP = 16;
const PORTS_PADDING = 8;
const PORT_ROW = 20;
const PARAMS_PADDING = 13;
const WIDGET_GAP = 4;
const COLLAPSED_HEIGHT = 49;
/** A subgraph card's line under the header ("4 nodes inside · double-click to open"). */
const SUBGRAPH_NOTE = 18;
/** The picture an output node shows after a run (a square the card's width less margins). */
export const PICTURE_HEIGHT = CARD_WIDTH;
/** The largest error text a card shows before it scrolls (theme.css .ll-node-error). */
export const ERROR_MAX_HEIGHT = 96;

/** Width a widget row has for its label and control: the card less padding, the ☆ and ⇥ buttons. */
const ROW_WIDTH = CARD_WIDTH - 16 - 22 - 18;
/** About how wide a label or option text of `chars` characters is at the widgets' font size. */
const textWidth = (chars: number) => chars * 6.5;

/** Height of the widget drawn for one param (a control that does not fit beside its label wraps). */
export function widgetHeight(spec: ParamSpec, value: unknown, name = ''): number {
  const label = Math.max(52, textWidth((spec.label ?? name).length));
  switch (spec.kind) {
    case 'string':
      return spec.multiline ? 72 : 42;
    case 'seed':
      // Field, rnd and the randomise box wrap onto three lines beside the ☆ and ⇥ buttons.
      return 66;
    case 'image':
      return typeof value === 'string' && value.startsWith('data:') ? 120 : 76;
    case 'ports': {
      const items = Array.isArray(value) ? value.length : spec.default.length;
      return 36 + 29 * items;
    }
    case 'boolean':
      return 20;
    case 'int':
    case 'float':
      // A bounded number gets a slider, which takes the row beside the label, the field wraps.
      return sliderRange(spec) || label + 6 + 74 > ROW_WIDTH ? 50 : 24;
    case 'enum': {
      const option = Math.max(...spec.options.map((o) => o.length), 4);
      return label + 6 + textWidth(option) + 40 > ROW_WIDTH ? 44 : 24;
    }
    default:
      return label + 6 + 90 > ROW_WIDTH ? 44 : 24;
  }
}

/** Types whose node shows a picture after a run: image outputs and a zone's live latent preview. */
function showsPicture(node: GraphNode, type: CardType | undefined, inputs: PortMap): boolean {
  if (node.type === 'flow/repeat-output') return true;
  return !!type?.isOutput && Object.values(inputs).some((p) => p.type === 'IMAGE' || p.type === 'MASK');
}

/** The card's box: `ports` are the node's resolved inputs and outputs. */
export function cardSize(node: GraphNode, type: CardType | undefined, ports: { inputs: PortMap; outputs: PortMap }): Size {
  if (node.ui?.collapsed) return { width: CARD_WIDTH, height: COLLAPSED_HEIGHT };
  const converted = new Set(node.paramInputs ?? []);
  const widgets = type ? Object.entries(type.params).filter(([name, spec]) => !spec.hidden && !converted.has(name)) : [];
  const rows = Math.max(Object.keys(ports.inputs).length, Object.keys(ports.outputs).length);
  let height = HEADER + STATUS_STRIP + PORTS_PADDING + PORT_ROW * rows;
  if (widgets.length > 0) {
    height += PARAMS_PADDING + WIDGET_GAP * (widgets.length - 1);
    for (const [name, spec] of widgets) height += widgetHeight(spec, node.params[name], name);
  }
  if (node.type === SUBGRAPH_TYPE) height += SUBGRAPH_NOTE;
  if (showsPicture(node, type, ports.inputs)) height += PICTURE_HEIGHT;
  return { width: CARD_WIDTH, height };
}

/** A collapsed zone's box (CollapsedZoneCard: 240 px wide, its ports, the loop's live preview). */
export function collapsedBoxSize(inputs: number, outputs: number): Size {
  const width = 240;
  return { width, height: HEADER + STATUS_STRIP + PORTS_PADDING + PORT_ROW * Math.max(inputs, outputs) + width };
}
