/** A repeat zone drawn as a framed region behind its body nodes, with a button to collapse it. */
import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { ZoneFrameNode } from './flowModel.ts';
import { useZoneSummary } from '../run/useRunStore.ts';
import { useViewActions } from './viewActions.ts';

function ZoneFrameImpl({ data, width, height }: NodeProps<ZoneFrameNode>) {
  const view = useViewActions();
  const summary = useZoneSummary(data.members, data.output);
  return (
    <div className="ll-zone-frame" data-zone={data.zone} style={{ width, height }}>
      <div className="ll-zone-label">
        ⟳ {data.label}{summary && <span className="ll-zone-summary" data-testid="zone-summary"> · {summary}</span>}
        <button type="button" className="ll-icon-button ll-zone-collapse nodrag" aria-label="collapse zone" title="Collapse the zone into one box"
          onClick={() => view.setZoneCollapsed(data.zone, true)}>▾ collapse</button>
      </div>
    </div>
  );
}

export const ZoneFrame = memo(ZoneFrameImpl);
