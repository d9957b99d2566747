/**
 * The one node component: renders any node type from its description — header in the category
 * colour, typed handles coloured by port type, a widget per visible param, a status strip, and
 * outputs (images, previews). Collapsing hides the body but keeps handles so wires stay drawn.
 */
import { memo, type ReactElement } from 'react';
import { Handle, Position, type NodeProps, type Node } from '@xyflow/react';
import type { GraphNode } from '../../graph/document.ts';
import type { ParamKind, ParamSpec, PortMap } from '../../graph/nodeSpec.ts';
import { PARAM_PORT_TYPE } from '../../graph/nodeSpec.ts';
import type { NodeTypeInfo } from '../catalog.ts';
import type { NodeStatus } from '../run/runStore.ts';
import { progressText } from '../run/progress.ts';
import { renderWidget, widgetValue } from '../widgets/registry.ts';
import { categoryColor, PORT_COLORS } from './colors.ts';
import { useEditorActions } from './actions.ts';
import { useExposure } from './exposure.ts';
import { useNodeStatus, useSubgraphStatus } from '../run/useRunStore.ts';
import { SUBGRAPH_TYPE } from '../../graph/document.ts';
import { useViewActions } from './viewActions.ts';
import { paramsBlockHeight } from './detail.ts';
import { useLowDetail } from './useLowDetail.ts';

export interface NodeCardData extends Record<string, unknown> {
  node: GraphNode;
  info?: NodeTypeInfo;
  inputs: PortMap;
  outputs: PortMap;
  models: readonly string[];
  randomizedSeeds: readonly string[];
  /** Issues from the validator for this node, shown under the header. */
  issues: readonly string[];
}

export type NodeCardNode = Node<NodeCardData, 'graphNode'>;

/** `minimal`: the low level of detail's strip, the state's colour (canvas.css) and the progress bar only. */
export function StatusStrip({ status, minimal }: { status?: NodeStatus; minimal?: boolean }) {
  if (!status) return <div className="ll-status-strip" data-state="idle" />;
  const pct = status.progress && status.progress.max > 0 ? (100 * status.progress.value) / status.progress.max : undefined;
  if (minimal) {
    return (
      <div className="ll-status-strip" data-state={status.state} data-testid="node-status">
        {status.progress && <span className="ll-progress"><span className="ll-progress-bar" style={{ width: `${pct ?? 0}%` }} /></span>}
      </div>
    );
  }
  return (
    <div className="ll-status-strip" data-state={status.state} data-testid="node-status">
      <span className="ll-status-label">{status.state}</span>
      {status.progress && (
        <span className="ll-progress" title={status.progress.unit === 'bytes' ? `${status.progress.value} / ${status.progress.max} bytes` : `${status.progress.value} / ${status.progress.max}`}>
          <span className="ll-progress-bar" style={{ width: `${pct ?? 0}%` }} />
          <span className="ll-progress-text">{progressText(status, performance.now())}</span>
        </span>
      )}
      {status.ms !== undefined && <span className="ll-status-ms">{status.ms < 1000 ? `${status.ms.toFixed(0)} ms` : `${(status.ms / 1000).toFixed(2)} s`}</span>}
    </div>
  );
}

/** `minimal`: the low level of detail's row, its handle alone (same row height, so wires keep their ends). */
export function PortRow({ name, spec, side, minimal }: { name: string; spec: PortMap[string]; side: 'in' | 'out'; minimal?: boolean }) {
  const color = PORT_COLORS[spec.type] ?? '#ccc';
  if (minimal) {
    return (
      <div className={`ll-port ll-port-${side}`} data-port={name}>
        <Handle type={side === 'in' ? 'target' : 'source'} position={side === 'in' ? Position.Left : Position.Right}
          id={name} className="ll-handle" style={{ background: color, borderColor: color }} />
      </div>
    );
  }
  return (
    <div className={`ll-port ll-port-${side}`} data-port={name} title={`${name}: ${spec.type}${spec.description ? ` — ${spec.description}` : ''}`}>
      <Handle type={side === 'in' ? 'target' : 'source'} position={side === 'in' ? Position.Left : Position.Right}
        id={name} className="ll-handle" style={{ background: color, borderColor: color }} />
      <PortText label={`${spec.label ?? name}${spec.optional && side === 'in' ? '?' : ''}`} type={spec.type} color={color} />
    </div>
  );
}

/**
 * A port's name and type on one line of fixed height: where both do not fit the card's column,
 * the type wraps onto a second line, which is clipped, and a name still too long ends in an
 * ellipsis (the row's title holds both in full).
 */
function PortText({ label, type, color }: { label: string; type: string; color: string }) {
  return (
    <span className="ll-port-text">
      <span className="ll-port-label">{label}</span>
      <span className="ll-port-type" style={{ color }}>{type}</span>
    </span>
  );
}

function ParamRow({ node, name, spec, data }: { node: GraphNode; name: string; spec: ParamSpec; data: NodeCardData }): ReactElement {
  const actions = useEditorActions();
  const exposure = useExposure();
  const key = `${node.id}.${name}`;
  const canConvert = PARAM_PORT_TYPE[spec.kind] !== undefined;
  const exposed = !!exposure?.exposed.has(key);
  return (
    <div className="ll-param-row">
      {exposure && (
        <button type="button" className={`ll-icon-button ll-expose nodrag${exposed ? ' on' : ''}`} aria-pressed={exposed}
          title={exposed ? 'Shown in the app form: click to hide it there' : 'Show in the app form (Form view)'}
          aria-label={`${exposed ? 'hide' : 'show'} ${name} in the app form`} onClick={() => exposure.toggle(node.id, name, !exposed)}>{exposed ? '★' : '☆'}</button>
      )}
      {renderWidget({
        nodeId: node.id,
        name,
        spec: spec as Extract<ParamSpec, { kind: ParamKind }>,
        value: widgetValue(spec, node.params[name]) as never,
        onChange: (value: unknown, final?: boolean) => actions.setParam(node.id, name, value, final ?? true),
        models: data.models,
        randomizeAfterRun: data.randomizedSeeds.includes(key),
        onRandomizeAfterRunChange: (on: boolean) => actions.setSeedRandomize(key, on),
      } as never)}
      {canConvert && (
        <button type="button" className="ll-icon-button ll-convert nodrag" title="Convert to an input socket"
          aria-label={`convert ${name} to input`} onClick={() => actions.setParamAsInput(node.id, name, true)}>⇥</button>
      )}
    </div>
  );
}

function NodeCardImpl({ id, data, selected }: NodeProps<NodeCardNode>) {
  const actions = useEditorActions();
  const view = useViewActions();
  const { node, info, inputs, outputs } = data;
  const isSubgraph = node.type === SUBGRAPH_TYPE;
  const own = useNodeStatus(id);
  const inner = useSubgraphStatus(id, isSubgraph);
  const status = isSubgraph ? inner : own;
  const lod = useLowDetail(data);
  const collapsed = !!node.ui?.collapsed;
  const converted = new Set(node.paramInputs ?? []);
  const title = node.title ?? info?.title ?? node.type;
  const params = info ? Object.entries(info.params).filter(([n, s]) => !s.hidden && !converted.has(n)) : [];
  const low = lod.low;
  return (
    <div ref={lod.ref} className={`ll-node${low ? ' ll-node-lod' : ''}${selected ? ' selected' : ''}${info ? '' : ' ll-node-unknown'}${isSubgraph ? ' ll-node-subgraph' : ''}`}
      data-node-id={id} data-state={status?.state ?? 'idle'}
      style={{ ['--cat' as string]: categoryColor(info?.category ?? 'unknown'), height: lod.height }}>
      <header className="ll-node-header" title={info?.description ?? `Unknown node type "${node.type}"`}>
        {!low && (
          <button type="button" className="ll-icon-button nodrag" aria-label={collapsed ? 'expand' : 'collapse'}
            onClick={() => actions.toggleCollapsed(id)}>{collapsed ? '▸' : '▾'}</button>
        )}
        <span className="ll-node-title">{title}</span>
        {!low && <span className="ll-node-type">{node.type}</span>}
        {!low && isSubgraph && (
          <button type="button" className="ll-icon-button nodrag" title="Open this subgraph (or double-click it)" aria-label="open subgraph"
            onClick={() => view.openSubgraph(id)}>⤢</button>
        )}
        {!low && info?.isOutput && (
          <button type="button" className="ll-icon-button nodrag" title="Run only this output" aria-label="run this node"
            onClick={() => actions.runNode(id)}>▶</button>
        )}
      </header>
      <StatusStrip status={status} minimal={low} />
      {/* Issues, errors and the subgraph line stay at both levels: they sit above the ports, so the handles keep their places. */}
      {isSubgraph && <div className="ll-subgraph-summary">{node.subgraph?.nodes.length ?? 0} nodes inside · double-click to open</div>}
      {data.issues.length > 0 && <ul className="ll-node-issues">{data.issues.map((m, i) => <li key={i}>{m}</li>)}</ul>}
      {status?.error && <div className="ll-node-error nowheel" data-testid="node-error">{status.error.message}</div>}
      <div className={`ll-node-ports${collapsed ? ' collapsed' : ''}`}>
        <div className="ll-inputs">
          {Object.entries(inputs).map(([name, spec]) => (low
            ? <PortRow key={name} name={name} spec={spec} side="in" minimal />
            : <PortRowWithNode key={name} nodeId={id} name={name} spec={spec} side="in" converted={converted.has(name)} />
          ))}
        </div>
        <div className="ll-outputs">
          {Object.entries(outputs).map(([name, spec]) => <PortRow key={name} name={name} spec={spec} side="out" minimal={low} />)}
        </div>
      </div>
      {!collapsed && params.length > 0 && (low ? (
        // A card never drawn in full (opened zoomed out) has no measured height: a box of about
        // its widgets' height (flowModel's estimate) stands in for them.
        lod.height === undefined && <div className="ll-node-params ll-node-params-far" style={{ height: paramsBlockHeight(params.length) }} />
      ) : (
        <div className="ll-node-params">
          {params.map(([name, spec]) => <ParamRow key={name} node={node} name={name} spec={spec} data={data} />)}
        </div>
      ))}
      {!low && !collapsed && status?.values && <div className="ll-node-values" data-testid="node-values">{status.values}</div>}
      {!low && !collapsed && status?.previewUrl && (
        <img className="ll-node-image nodrag" src={status.previewUrl} decoding="async" alt={`${id} output`} data-testid="node-image"
          onDoubleClick={() => actions.openImage(status.previewUrl!)} />
      )}
    </div>
  );
}

/** PortRow for inputs needs the node id for "convert back"; keeps PortRow itself id-free. */
function PortRowWithNode(props: { nodeId: string; name: string; spec: PortMap[string]; side: 'in'; converted: boolean }) {
  const actions = useEditorActions();
  if (!props.converted) return <PortRow name={props.name} spec={props.spec} side="in" />;
  const color = PORT_COLORS[props.spec.type] ?? '#ccc';
  return (
    <div className="ll-port ll-port-in ll-port-converted" data-port={props.name} title={`${props.name}: ${props.spec.type} (a param turned into an input)`}>
      <Handle type="target" position={Position.Left} id={props.name} className="ll-handle" style={{ background: color, borderColor: color }} />
      <PortText label={props.spec.label ?? props.name} type={props.spec.type} color={color} />
      <button type="button" className="ll-icon-button nodrag" title="Convert back to a widget" aria-label={`convert ${props.name} to widget`}
        onClick={() => actions.setParamAsInput(props.nodeId, props.name, false)}>⇤</button>
    </div>
  );
}

/**
 * NodeCard draws only from `id`, `data` and `selected`. React Flow also passes the node's
 * absolute position, size and drag state, which change on every frame of a drag; comparing just
 * the three props used keeps a dragged card from re-rendering (and re-setting its widgets' DOM)
 * per frame.
 */
export function sameCardProps(a: NodeProps<NodeCardNode>, b: NodeProps<NodeCardNode>): boolean {
  return a.id === b.id && a.data === b.data && a.selected === b.selected;
}

export const NodeCard = memo(NodeCardImpl, sameCardProps);
