/**
 * The app view, for people who do not want wires: the params the graph exposes (its
 * `app.exposed` list) as one simple form, with Run, the run's progress and the gallery. Every
 * field edits the same document as the graph view (undo, autosave and the file see it alike).
 */
import type { ParamKind, ParamSpec } from '../../graph/nodeSpec.ts';
import type { GraphDocument } from '../../graph/document.ts';
import type { NodeCatalog } from '../catalog.ts';
import type { EditorActions } from '../canvas/actions.ts';
import type { GalleryItem } from '../run/runStore.ts';
import { RunStatus } from '../panels/RunStatus.tsx';
import { renderWidget, widgetValue } from '../widgets/registry.ts';
import { formFields, type FormField } from './exposure.ts';

export interface AppFormProps {
  doc: GraphDocument;
  catalog: NodeCatalog;
  actions: EditorActions;
  randomizedSeeds: readonly string[];
  running: boolean;
  /** This tab's runs waiting behind another tab's, for the status line. */
  waiting?: string;
  gallery: readonly GalleryItem[];
  /** A field was edited (`final`: the last change of a drag or of typing). */
  onSetField(field: FormField, value: unknown, final: boolean): void;
  onRun(): void;
  onCancel(): void;
  onOpenImage(item: GalleryItem): void;
  onShowGraph(): void;
}

export function AppForm(p: AppFormProps) {
  const fields = formFields(p.doc, p.catalog);
  const models = Object.keys(p.doc.models);
  return (
    <div className="ll-app-form" data-testid="app-form">
      <form className="ll-form" onSubmit={(e) => {
        e.preventDefault();
        p.onRun();
      }}>
        <h2 className="ll-form-title">{p.doc.meta.title ?? 'Untitled'}</h2>
        {p.doc.meta.description && <p className="ll-form-description">{p.doc.meta.description}</p>}
        {fields.length === 0 && (
          <p className="ll-muted" data-testid="app-form-empty">
            This graph shows nothing here yet. In the <button type="button" className="ll-link" onClick={p.onShowGraph}>graph</button>, click ☆ beside a param to show it in this form.
          </p>
        )}
        {fields.map((f) => {
          const key = `${f.node}.${f.param}`;
          return (
            <div key={key} className="ll-form-field" data-field={key}>
              <span className="ll-form-label">{f.label}</span>
              {renderWidget({
                nodeId: f.node,
                name: f.param,
                spec: f.spec as Extract<ParamSpec, { kind: ParamKind }>,
                value: widgetValue(f.spec, f.value) as never,
                onChange: (value: unknown, final?: boolean) => p.onSetField(f, value, final ?? true),
                models,
                // "Randomise after run" names top-level seeds only.
                ...(f.path.length === 0 ? {
                  randomizeAfterRun: p.randomizedSeeds.includes(key),
                  onRandomizeAfterRunChange: (on: boolean) => p.actions.setSeedRandomize(key, on),
                } : {}),
              } as never)}
            </div>
          );
        })}
        <div className="ll-form-actions">
          <button type="submit" className="ll-run" data-testid="form-run">▶ Run</button>
          <button type="button" className="ll-cancel" onClick={p.onCancel} disabled={!p.running}>■ Cancel</button>
          <span className="ll-form-status" data-testid="form-status"><RunStatus waiting={p.waiting} /></span>
        </div>
      </form>
      <div className="ll-form-gallery" data-testid="form-gallery">
        {p.gallery.length === 0 && <p className="ll-muted">Press Run: pictures appear here.</p>}
        {p.gallery.map((item) => (
          <figure key={item.id}>
            <img src={item.url} alt={`${item.nodeId} run ${item.runId}`} onClick={() => p.onOpenImage(item)} />
            <figcaption>{item.title ?? item.nodeId} · run {item.runId}</figcaption>
          </figure>
        ))}
      </div>
    </div>
  );
}
