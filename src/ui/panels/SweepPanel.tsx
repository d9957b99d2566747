/**
 * The Sweep tab: run the graph over one or two params (a list or a range each), collect the
 * metric outputs of every run, plot them (a metric vs a param; one metric vs another, points
 * labelled by the swept value) and export CSV or JSON. The points go through the run queue, so
 * they show in the Queue panel and Cancel removes the rest. The sweep is kept in the graph file
 * (meta.extra.sweep) when it is run.
 */
import { lazy, Suspense, useMemo, useState, useSyncExternalStore } from 'react';
import type { GraphDocument } from '../../graph/document.ts';
import { readSweepDefinition, SWEEP_META_KEY, sweepCsv, sweepJson, axesOf } from '../../metrics/sweepResults.ts';
import type { NodeCatalog } from '../catalog.ts';
import { downloadBytes, safeFileName } from '../files.ts';
import { useEditorStore } from '../store/useEditor.ts';
import { SweepSession, type SweepQueue } from '../sweep/sweepSession.ts';
import { definitionOf, formFor, metricChoices, paramChoices, type SweepForm } from '../sweep/sweepForm.ts';
import { metricScatter, metricVsParam, plotChoices } from '../sweep/sweepPoints.ts';

// uPlot loads with the first plot, not with the editor: most sessions never sweep.
const SweepPlot = lazy(() => import('../sweep/SweepPlot.tsx').then((m) => ({ default: m.SweepPlot })));
const plotFallback = <p className="ll-muted">Loading the plot…</p>;

export interface SweepPanelProps {
  doc: GraphDocument;
  /** Changes when another document is opened: the form is read from it again. */
  loadId: number;
  catalog: NodeCatalog;
  queue: SweepQueue;
}

function Select({ value, options, onChange, label, testId, none }: { value: string; options: readonly string[]; onChange(v: string): void; label: string; testId?: string; none?: string }) {
  const all = value && !options.includes(value) ? [value, ...options] : options;
  return (
    <select aria-label={label} data-testid={testId} value={value} onChange={(e) => onChange(e.target.value)}>
      {none !== undefined && <option value="">{none}</option>}
      {all.map((o) => <option key={o} value={o}>{o}</option>)}
    </select>
  );
}

export function SweepPanel({ doc, loadId, catalog, queue }: SweepPanelProps) {
  const store = useEditorStore();
  const session = useMemo(() => new SweepSession(queue, (type) => catalog.get(type)?.params), [queue, catalog]);
  const snap = useSyncExternalStore(session.subscribe, session.getSnapshot);
  const params = useMemo(() => paramChoices(doc, (type) => catalog.get(type)), [doc, catalog]);
  const detected = useMemo(() => metricChoices(doc, (type) => catalog.get(type)), [doc, catalog]);
  const stored = useMemo(() => readSweepDefinition(doc.meta.extra), [doc.meta.extra]);
  const [form, setForm] = useState<SweepForm>(() => formFor(stored.definition, params, detected));
  // Another document: its own sweep (or a fresh guess) replaces the form. Only on a new load: an
  // edit of the graph must not undo what the user typed.
  const [formLoad, setFormLoad] = useState(loadId);
  if (formLoad !== loadId) {
    setFormLoad(loadId);
    setForm(formFor(stored.definition, params, detected));
  }

  const patch = (p: Partial<SweepForm>) => setForm((f) => ({ ...f, ...p }));
  const setAxis = (i: number, p: Partial<SweepForm['axes'][number]>) => setForm((f) => {
    const axes = [...f.axes];
    axes[i] = { ...(axes[i] ?? { param: '', values: '' }), ...p };
    return { ...f, axes };
  });
  const metrics = plotChoices(snap.results, form.metrics.length ? form.metrics : detected);
  const swept = form.axes.filter((a) => a.param).map((a) => a.param);
  const busy = snap.status === 'running' || snap.status === 'cancelling';

  const run = () => {
    const definition = definitionOf(form);
    if (JSON.stringify(definition) !== JSON.stringify(stored.definition)) {
      store.edit('Set sweep', (d) => {
        d.meta.extra ??= {};
        d.meta.extra[SWEEP_META_KEY] = definition;
      });
    }
    session.start(doc, definition);
  };
  const exportAs = (kind: 'csv' | 'json') => {
    const axes = snap.axes.length ? snap.axes : axesOf(definitionOf(form));
    const name = safeFileName(`${doc.meta.title ?? 'graph'}-sweep`, kind);
    if (kind === 'csv') downloadBytes(sweepCsv(axes.map((a) => a.key), snap.results), name, 'text/csv');
    else downloadBytes(sweepJson(axes, snap.zip, snap.results, doc.meta.title), name, 'application/json');
  };

  const line = useMemo(() => (form.plotParam && form.plotMetric ? metricVsParam(snap.results, form.plotParam, form.plotMetric) : undefined), [snap.results, form.plotParam, form.plotMetric]);
  const scatter = useMemo(
    () => (form.plotParam && form.scatterX && form.scatterY ? metricScatter(snap.results, form.plotParam, form.scatterX, form.scatterY) : undefined),
    [snap.results, form.plotParam, form.scatterX, form.scatterY],
  );

  return (
    <div className="ll-sweep" data-testid="sweep-panel">
      {stored.error && <p className="ll-sweep-error">{stored.error}</p>}
      {[0, 1].map((i) => (
        <div className="ll-sweep-row" key={i}>
          <Select label={`sweep param ${i + 1}`} testId={`sweep-param-${i + 1}`} value={form.axes[i]?.param ?? ''} options={params}
            none={i === 0 ? undefined : '— no second param —'} onChange={(param) => setAxis(i, { param })} />
          <input type="text" aria-label={`sweep values ${i + 1}`} data-testid={`sweep-values-${i + 1}`} placeholder="1..16, 1..10:0.5 or 1,3,5,7.5"
            value={form.axes[i]?.values ?? ''} disabled={!form.axes[i]?.param} onChange={(e) => setAxis(i, { values: e.target.value })} />
        </div>
      ))}
      <label className="ll-check" title="Pair the two lists value by value instead of running every combination">
        <input type="checkbox" checked={form.zip} onChange={(e) => patch({ zip: e.target.checked })} /> pair the lists (zip)
      </label>
      <div className="ll-sweep-row">
        {busy ? (
          <button type="button" className="ll-cancel" data-testid="sweep-cancel" onClick={() => session.cancel()} disabled={snap.status === 'cancelling'}>Cancel sweep</button>
        ) : (
          <button type="button" className="ll-run" data-testid="sweep-run" onClick={run} disabled={swept.length === 0}>▶ Run sweep</button>
        )}
        <span className="ll-muted" data-testid="sweep-progress" data-status={snap.status}>
          {snap.status === 'cancelled'
            ? `${snap.results.length}/${snap.total} points ran · cancelled`
            : snap.total > 0 && `${snap.settled}/${snap.total} points${snap.failed ? `, ${snap.failed} failed` : ''}`}
          {snap.status === 'done' && snap.seconds !== undefined && ` · ${snap.seconds.toFixed(1)} s`}
        </span>
      </div>
      {snap.error && <p className="ll-sweep-error" data-testid="sweep-error">{snap.error}</p>}
      <div className="ll-sweep-row">
        <span className="ll-muted">plot</span>
        <Select label="plot metric" testId="sweep-plot-metric" value={form.plotMetric} options={metrics} onChange={(plotMetric) => patch({ plotMetric })} />
        <span className="ll-muted">vs</span>
        <Select label="plot param" testId="sweep-plot-param" value={form.plotParam} options={swept} onChange={(plotParam) => patch({ plotParam })} />
      </div>
      {line && line.x.length > 0 ? (
        <Suspense fallback={plotFallback}>
          <SweepPlot testId="sweep-plot-line" data={{ kind: 'line', series: line, xLabel: form.plotParam, yLabel: form.plotMetric }} />
        </Suspense>
      ) : (
        <p className="ll-muted">Run the sweep: {form.plotMetric || 'a metric'} per value of {form.plotParam || 'the swept param'} is plotted here.</p>
      )}
      <div className="ll-sweep-row">
        <span className="ll-muted">scatter</span>
        <Select label="scatter y" testId="sweep-scatter-y" value={form.scatterY} options={metrics} none="—" onChange={(scatterY) => patch({ scatterY })} />
        <span className="ll-muted">vs</span>
        <Select label="scatter x" testId="sweep-scatter-x" value={form.scatterX} options={metrics} none="—" onChange={(scatterX) => patch({ scatterX })} />
      </div>
      {scatter && scatter.x.length > 0 && (
        <Suspense fallback={plotFallback}>
          <SweepPlot testId="sweep-plot-scatter"
            data={{ kind: 'scatter', series: scatter, xLabel: form.scatterX, yLabel: form.scatterY, pointLabel: form.plotParam.slice(form.plotParam.lastIndexOf('.') + 1) }} />
        </Suspense>
      )}
      <div className="ll-sweep-row">
        <button type="button" className="ll-small-button" data-testid="sweep-export-csv" disabled={snap.results.length === 0} onClick={() => exportAs('csv')}>Export CSV</button>
        <button type="button" className="ll-small-button" data-testid="sweep-export-json" disabled={snap.results.length === 0} onClick={() => exportAs('json')}>Export JSON</button>
      </div>
    </div>
  );
}
