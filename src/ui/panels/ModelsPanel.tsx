/**
 * Model manager: the document's model table (add a package by URL or local folder name), the
 * worker's cached packages with their sizes, and delete.
 */
import { useCallback, useEffect, useState } from 'react';
import type { GraphDocument } from '../../graph/document.ts';
import type { EngineConnection, ModelCacheEntry } from '../run/engineConnection.ts';
import { ModelManagerControls } from './ModelManagerControls.tsx';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

export interface ModelsPanelProps {
  doc: GraphDocument;
  engine?: EngineConnection;
  onAddModel(key: string, source: string): void;
  onRemoveModel(key: string): void;
}

export function ModelsPanel({ doc, engine, onAddModel, onRemoveModel }: ModelsPanelProps) {
  const [cached, setCached] = useState<ModelCacheEntry[]>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [key, setKey] = useState('');
  const [source, setSource] = useState('');
  const refresh = useCallback(() => {
    if (!engine?.listModels) return;
    engine.listModels().then(setCached, (e: unknown) => setError(String(e)));
  }, [engine]);
  useEffect(refresh, [refresh]);
  const valid = /^[\w-]+$/.test(key) && /^(builtin:|folder:|https?:\/\/|\/)/.test(source);
  return (
    <div>
      <h3>In this graph</h3>
      <ul className="ll-model-list">
        {Object.entries(doc.models).map(([k, ref]) => (
          <li key={k}>
            <code>{k}</code> {ref.source}
            <button type="button" className="ll-small-button" onClick={() => onRemoveModel(k)}>remove</button>
          </li>
        ))}
      </ul>
      <form className="ll-model-form" onSubmit={(e) => {
        e.preventDefault();
        if (valid) onAddModel(key, source);
      }}>
        <input aria-label="model key" placeholder="key (e.g. sd15)" value={key} onChange={(e) => setKey(e.target.value)} />
        <input aria-label="model source" placeholder="https://…/model/ or folder:name or builtin:toy-shapes" value={source}
          onChange={(e) => setSource(e.target.value)} />
        <button type="submit" disabled={!valid}>Add</button>
      </form>
      <ModelManagerControls doc={doc} engine={engine} onAddModel={onAddModel} onCacheChanged={refresh} />
      <h3>Engine cache</h3>
      {engine?.clearCache && (
        <button type="button" className="ll-small-button" onClick={() => engine.clearCache!().then(() => setNotice('Engine cache cleared: the next run starts from scratch'), (e: unknown) => setError(String(e)))}>
          clear node outputs and model sessions
        </button>
      )}
      {notice && <p className="ll-muted">{notice}</p>}
      <h3>Cached in this browser</h3>
      {!engine?.listModels && <p className="ll-muted">The worker does not report its model cache.</p>}
      {error && <p className="ll-widget-error">{error}</p>}
      {cached && cached.length === 0 && <p className="ll-muted">Nothing cached yet.</p>}
      <ul className="ll-model-list">
        {cached?.map((m) => (
          <li key={m.id}>
            <code>{m.id}</code> {formatBytes(m.bytes)}
            {engine?.deleteModel && (
              <button type="button" className="ll-small-button" onClick={() => engine.deleteModel!(m.id).then(refresh, (e: unknown) => setError(String(e)))}>delete</button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
