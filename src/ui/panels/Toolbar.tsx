/** The top bar: file commands, examples, undo/redo, run/cancel, the settings menu (backend, threads, snap), status. */
import type { ReactNode } from 'react';
import type { BackendChoice } from '../run/engineConnection.ts';
import type { ExampleGraph } from '../files.ts';
import type { ThreadSetting } from '../../runtime/threads.ts';
import { ToolbarSettings } from './ToolbarSettings.tsx';

export interface ToolbarProps {
  title: string;
  canUndo: boolean;
  canRedo: boolean;
  undoLabel?: string;
  redoLabel?: string;
  running: boolean;
  ready: boolean;
  /** Runs waiting in the queue after the current one. */
  queued: number;
  /** How many runs one press of Run queues. */
  batch: number;
  examples: readonly ExampleGraph[];
  backend: BackendChoice;
  backendInUse?: string;
  /** Choices the worker's host supports (WebGPU only where the browser has it). */
  backendsAvailable?: readonly string[];
  /** onnxruntime-web's wasm threads (a change restarts the worker before the next run). */
  threads: ThreadSetting;
  snap: boolean;
  status?: ReactNode;
  /** The graph has a description: the ℹ button shows it. */
  hasInfo?: boolean;
  onInfo?(): void;
  onNew(): void;
  onOpen(): void;
  onSave(): void;
  onExample(name: string): void;
  onUndo(): void;
  onRedo(): void;
  onRun(): void;
  onBatch(count: number): void;
  onCancel(): void;
  onBackend(b: BackendChoice): void;
  onThreads(t: ThreadSetting): void;
  onSnap(on: boolean): void;
  onHelp(): void;
  /** Lays the graph out anew (auto-layout). */
  onTidy(): void;
  /** The app (form) view is shown instead of the graph. */
  formView: boolean;
  onFormView(on: boolean): void;
}

export function Toolbar(p: ToolbarProps) {
  return (
    <div className="ll-toolbar" role="toolbar">
      <span className="ll-brand">LatentLoom</span>
      <span className="ll-view-switch" role="group" aria-label="view">
        <button type="button" aria-pressed={!p.formView} onClick={() => p.onFormView(false)} title="The graph: nodes and wires">Graph</button>
        <button type="button" aria-pressed={p.formView} onClick={() => p.onFormView(true)} data-testid="form-view" title="The app view: the exposed params as a simple form, Run and the pictures">Form</button>
      </span>
      <button type="button" onClick={p.onNew} title="New graph">New</button>
      <button type="button" onClick={p.onOpen} title="Open a graph JSON or PNG (Ctrl+O)">Open</button>
      <button type="button" onClick={p.onSave} title="Save the graph as JSON (Ctrl+S)">Save</button>
      <select aria-label="examples" value="" onChange={(e) => e.target.value && p.onExample(e.target.value)}>
        <option value="">Examples…</option>
        {p.examples.map((ex) => <option key={ex.name} value={ex.name}>{ex.name}</option>)}
      </select>
      <span className="ll-sep" />
      <button type="button" onClick={p.onUndo} disabled={!p.canUndo} title={`Undo ${p.undoLabel ?? ''} (Ctrl+Z)`}>Undo</button>
      <button type="button" onClick={p.onRedo} disabled={!p.canRedo} title={`Redo ${p.redoLabel ?? ''} (Ctrl+Shift+Z)`}>Redo</button>
      <button type="button" onClick={p.onTidy} disabled={!p.ready} title="Tidy up: lay the graph out left to right, nothing on top of anything (undo puts it back)">Tidy up</button>
      <span className="ll-sep" />
      <span className="ll-run-wrap">
        <button type="button" className="ll-run" onClick={p.onRun} disabled={!p.ready}
          title={p.running ? 'Queue another run of the graph as it is now (Ctrl+Enter)' : 'Run (Ctrl+Enter); while a run is going, queues another'}>▶ Run</button>
        {p.queued > 0 && <span className="ll-run-badge" data-testid="queue-count" title={`${p.queued} run(s) queued`}>{p.queued}</span>}
      </span>
      <label className="ll-batch" title="Batch count: how many runs one press of Run queues (seeds marked randomise get a new value for each)">
        ×<input type="number" aria-label="batch count" min={1} max={100} value={p.batch}
          onChange={(e) => p.onBatch(Math.max(1, Math.min(100, Math.floor(Number(e.target.value)) || 1)))} />
      </label>
      <button type="button" className="ll-cancel" onClick={p.onCancel} disabled={!p.running} title="Cancel the run under way (Esc); queued runs go on">■ Cancel</button>
      <ToolbarSettings backend={p.backend} backendInUse={p.backendInUse} backendsAvailable={p.backendsAvailable} threads={p.threads} snap={p.snap}
        onBackend={p.onBackend} onThreads={p.onThreads} onSnap={p.onSnap} />
      {/* During a run its progress line needs the room more than the title does. */}
      <span className="ll-title" title={p.title} hidden={p.running}>{p.title}</span>
      <span className="ll-status" data-testid="status">{p.status}</span>
      {p.hasInfo && <button type="button" onClick={p.onInfo} title="About this graph (its description)" aria-label="graph info">ℹ</button>}
      <button type="button" onClick={p.onHelp} title="Keyboard shortcuts (?)">?</button>
    </div>
  );
}
