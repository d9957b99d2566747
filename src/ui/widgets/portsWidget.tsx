/** Editable list of sockets (a repeat zone's loop-carried state items). */
import { PORT_TYPES, type PortType } from '../../graph/portTypes.ts';
import type { PortListItem } from '../../graph/nodeSpec.ts';
import type { WidgetProps } from './types.ts';

export function PortsWidget({ spec, value, onChange, name }: WidgetProps<'ports'>) {
  const items: PortListItem[] = Array.isArray(value) ? value : [];
  const update = (next: PortListItem[]) => onChange(next, true);
  const nameOk = (n: string, i: number) => /^[A-Za-z_][\w]*$/.test(n) && !items.some((o, j) => j !== i && o.name === n);
  return (
    <div className="ll-widget ll-widget-ports nodrag" data-param={name}>
      <span className="ll-widget-label">{spec.label ?? name}</span>
      {items.map((item, i) => (
        <div key={i} className="ll-port-item">
          <input type="text" aria-label={`${name} ${i} name`} defaultValue={item.name}
            onBlur={(e) => nameOk(e.target.value, i) && e.target.value !== item.name
              && update(items.map((o, j) => (j === i ? { ...o, name: e.target.value } : o)))} />
          <select aria-label={`${name} ${i} type`} value={item.type}
            onChange={(e) => update(items.map((o, j) => (j === i ? { ...o, type: e.target.value as PortType } : o)))}>
            {PORT_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
          <button type="button" className="ll-icon-button" aria-label={`remove ${item.name}`}
            onClick={() => update(items.filter((_, j) => j !== i))}>×</button>
        </div>
      ))}
      <button type="button" className="ll-small-button" onClick={() => {
        let n = 1;
        while (items.some((o) => o.name === `state${n}`)) n++;
        update([...items, { name: `state${n}`, type: 'LATENT' }]);
      }}>+ state item</button>
    </div>
  );
}
