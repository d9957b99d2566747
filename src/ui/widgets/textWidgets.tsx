/** String, enum, boolean and model widgets. */
import type { WidgetProps } from './types.ts';

export function StringWidget({ spec, value, onChange, name }: WidgetProps<'string'>) {
  const common = {
    className: 'nodrag nowheel',
    'aria-label': name,
    value,
    placeholder: spec.placeholder,
    onBlur: () => onChange(value, true),
  };
  return (
    <div className={`ll-widget ll-widget-string${spec.multiline ? ' ll-multiline' : ''}`} data-param={name}>
      <span className="ll-widget-label">{spec.label ?? name}</span>
      {spec.multiline ? (
        <textarea {...common} rows={3} onChange={(e) => onChange(e.target.value, false)} />
      ) : (
        <input type="text" {...common} onChange={(e) => onChange(e.target.value, false)} />
      )}
    </div>
  );
}

export function EnumWidget({ spec, value, onChange, name }: WidgetProps<'enum'>) {
  const known = spec.options.includes(value);
  return (
    <div className="ll-widget ll-widget-enum" data-param={name}>
      <span className="ll-widget-label">{spec.label ?? name}</span>
      <select className="nodrag" aria-label={name} value={value} onChange={(e) => onChange(e.target.value, true)}>
        {!known && <option value={value}>{`${value} (unknown)`}</option>}
        {spec.options.map((o) => (
          <option key={o} value={o}>{o}</option>
        ))}
      </select>
    </div>
  );
}

export function BooleanWidget({ spec, value, onChange, name }: WidgetProps<'boolean'>) {
  return (
    <label className="ll-widget ll-widget-boolean nodrag" data-param={name}>
      <input type="checkbox" aria-label={name} checked={value} onChange={(e) => onChange(e.target.checked, true)} />
      <span className="ll-widget-label">{spec.label ?? name}</span>
    </label>
  );
}

export function ModelWidget({ spec, value, onChange, name, models }: WidgetProps<'model'>) {
  const known = models.includes(value);
  return (
    <div className="ll-widget ll-widget-model" data-param={name}>
      <span className="ll-widget-label">{spec.label ?? name}</span>
      <select className="nodrag" aria-label={name} value={value} onChange={(e) => onChange(e.target.value, true)}>
        {!known && <option value={value}>{value ? `${value} (not in models)` : '(choose a model)'}</option>}
        {models.map((m) => (
          <option key={m} value={m}>{m}</option>
        ))}
      </select>
    </div>
  );
}
