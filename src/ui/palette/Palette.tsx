/** The node search palette: fuzzy search over types, plus pre-wired templates. */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { NodeTypeInfo } from '../catalog.ts';
import { categoryColor } from '../canvas/colors.ts';
import type { PaletteFilter, PaletteHit } from './fuzzy.ts';
import { searchPalette, type PaletteRow } from './search.ts';
import type { GraphTemplate } from './templates.ts';

export interface PaletteProps {
  infos: readonly NodeTypeInfo[];
  templates: readonly GraphTemplate[];
  filter?: PaletteFilter;
  /** Screen position of the palette's top-left corner. */
  at: { x: number; y: number };
  onPickNode(hit: PaletteHit): void;
  onPickTemplate(template: GraphTemplate): void;
  onClose(): void;
}

type Row = PaletteRow;

export function Palette({ infos, templates, filter, at, onPickNode, onPickTemplate, onClose }: PaletteProps) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const rows = useMemo<Row[]>(() => searchPalette(infos, templates, query, filter), [infos, templates, query, filter]);
  const pick = (row: Row | undefined) => {
    if (!row) return;
    if (row.kind === 'node') onPickNode(row.hit);
    else onPickTemplate(row.template);
  };
  const left = Math.min(at.x, window.innerWidth - 380);
  const top = Math.min(at.y, window.innerHeight - 420);
  return (
    <div className="ll-palette-backdrop" onMouseDown={onClose}>
      <div className="ll-palette" role="dialog" aria-label="Add node" style={{ left, top }} onMouseDown={(e) => e.stopPropagation()}>
        <input ref={input} className="ll-palette-input" placeholder={filter ? 'Compatible nodes…' : 'Search nodes and templates…'}
          value={query} aria-label="search nodes"
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') setActive((a) => Math.min(rows.length - 1, a + 1));
            else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
            else if (e.key === 'Enter') pick(rows[active]);
            else if (e.key === 'Escape') onClose();
            else return;
            e.preventDefault();
          }} />
        <ul className="ll-palette-list" role="listbox">
          {rows.length === 0 && <li className="ll-palette-empty">No match</li>}
          {rows.map((row, i) => (
            <li key={row.kind === 'node' ? row.hit.info.type : `tpl:${row.template.id}`} role="option" aria-selected={i === active}
              className={i === active ? 'active' : ''} onMouseEnter={() => setActive(i)} onClick={() => pick(row)}>
              {row.kind === 'node' ? (
                <>
                  <span className="ll-chip" style={{ background: categoryColor(row.hit.info.category) }}>{row.hit.info.category}</span>
                  <span className="ll-palette-title">{row.hit.info.title}</span>
                  {row.via && <span className="ll-palette-via" title={`Found by "${row.via}" (ComfyUI name or synonym)`}>≈ {row.via}</span>}
                  <span className="ll-palette-type">{row.hit.info.type}</span>
                </>
              ) : (
                <>
                  <span className="ll-chip ll-chip-template">template</span>
                  <span className="ll-palette-title">{row.template.title}</span>
                  {row.via && <span className="ll-palette-via" title={`Found by "${row.via}" (ComfyUI name or synonym)`}>≈ {row.via}</span>}
                  <span className="ll-palette-type">{row.template.description}</span>
                </>
              )}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}
