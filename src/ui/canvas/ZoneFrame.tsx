/** A repeat zone drawn as a framed region behind its body nodes. */
import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { ZoneFrameNode } from './flowModel.ts';
import { useZoneSummary } from '../run/useRunStore.ts';

function ZoneFrameImpl({ data, width, height }: NodeProps<ZoneFrameNode>) {
  const summary = useZoneSummary(data.members, data.output);
  return (
    <div className="ll-zone-frame" data-zone={data.zone} style={{ width, height }}>
      <div className="ll-zone-label">⟳ {data.label}{summary && <span className="ll-zone-summary" data-testid="zone-summary"> · {summary}</span>}</div>
    </div>
  );
}

export const ZoneFrame = memo(ZoneFrameImpl);
