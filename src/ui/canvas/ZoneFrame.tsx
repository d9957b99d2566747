/** A repeat zone drawn as a framed region behind its body nodes. */
import { memo } from 'react';
import type { NodeProps } from '@xyflow/react';
import type { ZoneFrameNode } from './flowModel.ts';

function ZoneFrameImpl({ data, width, height }: NodeProps<ZoneFrameNode>) {
  return (
    <div className="ll-zone-frame" data-zone={data.zone} style={{ width, height }}>
      <div className="ll-zone-label">⟳ {data.label}</div>
    </div>
  );
}

export const ZoneFrame = memo(ZoneFrameImpl);
