/** Number (int/float) and seed widgets: a field, a slider on bounded ranges, and label drag. */
import { useRef, type PointerEvent as ReactPointerEvent } from 'react';
import type { WidgetProps } from './types.ts';
import { dragValue, formatNumber, MAX_SEED, normalizeNumber, randomSeed, sliderRange } from './numeric.ts';

function DragLabel({ text, onDrag, onEnd }: { text: string; onDrag(dx: number, fine: boolean): void; onEnd(): void }) {
  const start = useRef<number | null>(null);
  const down = (e: ReactPointerEvent<HTMLSpanElement>) => {
    start.current = e.clientX;
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const move = (e: ReactPointerEvent<HTMLSpanElement>) => {
    if (start.current !== null) onDrag(e.clientX - start.current, e.shiftKey);
  };
  const up = () => {
    if (start.current !== null) onEnd();
    start.current = null;
  };
  return (
    <span className="ll-widget-label ll-drag-label nodrag" title="Drag to change (Shift: fine)"
      onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerCancel={up}>
      {text}
    </span>
  );
}

export function NumberWidget(props: WidgetProps<'int'> | WidgetProps<'float'>) {
  const { spec, value, onChange, name } = props;
  const dragStart = useRef(value);
  const range = sliderRange(spec);
  const set = (v: number, final: boolean) => (onChange as (v: number, f?: boolean) => void)(normalizeNumber(spec, v), final);
  return (
    <div className="ll-widget ll-widget-number" data-param={name}>
      <DragLabel
        text={spec.label ?? name}
        onDrag={(dx, fine) => {
          if (dx === 0) dragStart.current = value;
          set(dragValue(spec, dragStart.current, dx, fine), false);
        }}
        onEnd={() => {
          dragStart.current = value;
          set(value, true);
        }}
      />
      {range && (
        <input type="range" className="nodrag" aria-label={`${name} slider`} min={range.min} max={range.max}
          step={range.step} value={value} onChange={(e) => set(Number(e.target.value), false)}
          onPointerUp={() => set(value, true)} onKeyUp={() => set(value, true)} />
      )}
      <input type="number" className="nodrag ll-number-field" aria-label={name} value={formatNumber(spec, value)}
        min={spec.min} max={spec.max} step={spec.step ?? (spec.kind === 'int' ? 1 : 'any')}
        onChange={(e) => e.target.value !== '' && set(Number(e.target.value), false)}
        onBlur={() => set(value, true)} />
    </div>
  );
}

export function SeedWidget(props: WidgetProps<'seed'>) {
  const { spec, value, onChange, name, randomizeAfterRun, onRandomizeAfterRunChange } = props;
  const clamp = (v: number) => Math.min(MAX_SEED, Math.max(0, Math.round(Number.isFinite(v) ? v : spec.default)));
  return (
    <div className="ll-widget ll-widget-seed" data-param={name}>
      <span className="ll-widget-label">{spec.label ?? name}</span>
      <input type="number" className="nodrag ll-number-field" aria-label={name} value={value} min={0} step={1}
        onChange={(e) => e.target.value !== '' && onChange(clamp(Number(e.target.value)), false)}
        onBlur={() => onChange(value, true)} />
      <button type="button" className="nodrag ll-icon-button" title="New random seed" aria-label="randomise seed"
        onClick={() => onChange(randomSeed(), true)}>rnd</button>
      <label className="nodrag ll-seed-mode" title="Pick a new random seed after every run">
        <input type="checkbox" checked={!!randomizeAfterRun}
          onChange={(e) => onRandomizeAfterRunChange?.(e.target.checked)} />
        randomise after run
      </label>
    </div>
  );
}
