/**
 * A collapsed repeat zone drawn as one box: its title, the zone's outside inputs and outputs as
 * ports, the loop's progress bar and its live preview (both from the zone's repeat-output, which
 * the engine reports them on; before the loop, a member's own progress such as a model
 * download), and a button that expands the zone in place.
 */
import { memo, useMemo } from 'react';
import type { NodeProps } from '@xyflow/react';
import { useMembersStatus } from '../run/useRunStore.ts';
import type { CollapsedZoneNode } from './collapsedView.ts';
import { PortRow, StatusStrip } from './NodeCard.tsx';
import { useEditorActions } from './actions.ts';
import { useLowDetail } from './useLowDetail.ts';
import { useViewActions } from './viewActions.ts';

function CollapsedZoneCardImpl({ data, selected }: NodeProps<CollapsedZoneNode>) {
  const { box, inputs, outputs } = data;
  const order = useMemo(() => [box.progressNode, ...box.members.filter((id) => id !== box.progressNode)], [box]);
  const status = useMembersStatus(order);
  const view = useViewActions();
  const actions = useEditorActions();
  // Below the level-of-detail zoom: title, status bar and handles only, at the full box's height.
  const { low, ref, height } = useLowDetail(data);
  return (
    <div ref={ref} className={`ll-node ll-zone-box${low ? ' ll-node-lod' : ''}${selected ? ' selected' : ''}`} data-zone-box={box.zone}
      data-state={status?.state ?? 'idle'} style={{ height }}>
      <header className="ll-node-header" title={`Repeat zone "${box.zone}" (${box.members.length} nodes), collapsed: double-click or ⤢ expands it`}>
        <span className="ll-node-title">⟳ {box.title}</span>
        {!low && <span className="ll-node-type">{box.members.length} nodes</span>}
        {!low && <button type="button" className="ll-icon-button nodrag" aria-label="expand zone" title="Expand the zone in place"
          onClick={() => view.setZoneCollapsed(box.zone, false)}>⤢</button>}
      </header>
      <StatusStrip status={status} minimal={low} />
      <div className="ll-node-ports">
        <div className="ll-inputs">{Object.entries(inputs).map(([name, spec]) => <PortRow key={name} name={name} spec={spec} side="in" minimal={low} />)}</div>
        <div className="ll-outputs">{Object.entries(outputs).map(([name, spec]) => <PortRow key={name} name={name} spec={spec} side="out" minimal={low} />)}</div>
      </div>
      {!low && status?.previewUrl && (
        <img className="ll-node-image nodrag" src={status.previewUrl} alt={`${box.zone} preview`} data-testid="zone-box-preview"
          onDoubleClick={() => actions.openImage(status.previewUrl!)} />
      )}
    </div>
  );
}

export const CollapsedZoneCard = memo(CollapsedZoneCardImpl);
