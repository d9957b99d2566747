/**
 * Panels the first paint does not show, each in its own chunk, loaded when first drawn: the
 * Sweep tab (sweep session, metrics tables; uPlot is lazier still, SweepPanel.tsx), the Models
 * tab (model manager) and the app view's form. Each waits behind its own Suspense boundary, so
 * the rest of the editor is drawn meanwhile.
 */
import { lazy, Suspense, type ComponentType, type ReactNode } from 'react';
import type { SweepPanelProps } from '../panels/SweepPanel.tsx';
import type { ModelsPanelProps } from '../panels/ModelsPanel.tsx';
import type { AppFormProps } from '../appView/AppForm.tsx';

function deferred<P extends object>(load: () => Promise<ComponentType<P>>, fallback: ReactNode): ComponentType<P> {
  const Lazy = lazy(async () => ({ default: await load() }));
  return (props: P) => (
    <Suspense fallback={fallback}>
      <Lazy {...props} />
    </Suspense>
  );
}

const loading = (what: string) => <p className="ll-muted">Loading {what}…</p>;

export const SweepPanel = deferred<SweepPanelProps>(() => import('../panels/SweepPanel.tsx').then((m) => m.SweepPanel), loading('the sweep'));
export const ModelsPanel = deferred<ModelsPanelProps>(() => import('../panels/ModelsPanel.tsx').then((m) => m.ModelsPanel), loading('the models'));
export const AppForm = deferred<AppFormProps>(() => import('../appView/AppForm.tsx').then((m) => m.AppForm), <div className="ll-loading">Loading the form…</div>);
