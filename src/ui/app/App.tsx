/**
 * The editor application: wires the document store, the run controller, the canvas and the
 * panels together. All inference happens in the worker behind `engine`.
 */
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import type { GraphDocument } from '../../graph/document.ts';
import { defaultRunTargets } from '../../graph/runTargets.ts';
import { NodeCatalog } from '../catalog.ts';
import { GraphCanvas } from '../canvas/GraphCanvas.tsx';
import { SubgraphBar } from '../canvas/SubgraphBar.tsx';
import { zoneMembers } from '../canvas/flowModel.ts';
import { StatusPrefixContext } from '../run/useRunStore.ts';
import { useSubgraphView } from './useSubgraphView.ts';
import { isSubgraphNode, ownerOf } from '../../graph/subgraphs.ts';
import { EditorActionsContext } from '../canvas/actions.ts';
import { useEditorActionsValue } from './useEditorActionsValue.ts';
import { useExposureValue } from '../appView/useExposureValue.ts';
import { ExposureContext } from '../canvas/exposure.ts';
import { setFieldValue, type FormField } from '../appView/exposure.ts';
import * as edits from '../store/docEdits.ts';
import { createEditorStore } from '../store/editorStore.ts';
import { startAutosave, type KeyValueStore } from '../store/autosave.ts';
import { EditorStoreContext, useEditorSnapshot, useEditorStore } from '../store/useEditor.ts';
import type { GalleryItem } from '../run/runStore.ts';
import { waitingLine } from '../run/runQueue.ts';
import { RunStoreContext } from '../run/useRunStore.ts';
import { RunController, randomizedSeedsOf } from '../run/runController.ts';
import { watchModelSockets } from '../run/modelSockets.ts';
import type { BackendChoice, EngineConnection } from '../run/engineConnection.ts';
import { downloadBytes, emptyDocument, exampleGraphs, graphFileText, openGraphFile, openGraphText, safeFileName, type OpenResult } from '../files.ts';
import { useExampleTemplates } from './exampleTemplates.ts';
import { useDiscardQuestion } from './useDiscardQuestion.ts';
import { useDocumentTabs, useTabRuns, useTabsAutosave } from '../tabs/useDocumentTabs.ts';
import { TabBar } from '../tabs/TabBar.tsx';
import { Toolbar } from '../panels/Toolbar.tsx';
import { QueuePanel } from '../panels/QueuePanel.tsx';
import { SidePanel } from '../panels/SidePanel.tsx';
import { AppForm, ModelsPanel, SweepPanel } from './lazyPanels.tsx';
import { SWEEP_META_KEY } from '../../metrics/sweepResults.ts';
import { ConfirmDiscard, HelpOverlay, ImageViewer, Toast } from '../panels/Overlays.tsx';
import { loadInitialDocument, type BootResult } from './bootstrap.ts';
import { useRestoreGuard } from './useRestoreGuard.ts';
import { RestoreNotice } from '../panels/RestoreNotice.tsx';
import { LiveAnalysis, type AnalysisSnapshot } from '../analysis/liveAnalysis.ts';
import { createWorkerAnalysisRunner } from '../analysis/workerRunner.ts';
import { useAppKeys } from './useAppKeys.ts';
import { usePasteGraph } from './usePasteGraph.ts';
import { useTidyUp } from './useTidyUp.ts';
import { RunStatus } from '../panels/RunStatus.tsx';
import { GraphInfo } from '../panels/GraphInfo.tsx';
import { isModelDrop } from '../../runtime/droppedFiles.ts';
import { parseThreadSetting, type ThreadSetting } from '../../runtime/threads.ts';
import { THREADS_KEY } from './settings.ts';
import { LOAD_MARKS } from './loadMarks.ts';

const UPSCALER_LOADER = 'model/load-upscaler';

export interface AppProps {
  engine: EngineConnection;
  kv?: KeyValueStore;
  /** Called once the canvas with the first document is committed (the editor is interactive). */
  onInteractive?: () => void;
}

export function App({ engine, kv, onInteractive }: AppProps) {
  const store = useMemo(() => createEditorStore(emptyDocument()), []);
  return (
    <EditorStoreContext.Provider value={store}>
      <ReactFlowProvider>
        <Editor engine={engine} kv={kv} onInteractive={onInteractive} />
      </ReactFlowProvider>
    </EditorStoreContext.Provider>
  );
}

/** Output nodes by type; a graph without any (a math demo) runs its leaves instead. */
function defaultTargets(doc: GraphDocument, catalog: NodeCatalog | undefined): string[] | undefined {
  return catalog ? defaultRunTargets(doc, (type) => catalog.get(type)) : undefined;
}


const NO_ANALYSIS: AnalysisSnapshot = { issues: [], members: new Map(), pending: false };
const noAnalysis = () => NO_ANALYSIS;
const noSubscription = () => () => {};

function Editor({ engine, kv, onInteractive }: AppProps) {
  const store = useEditorStore();
  const snap = useEditorSnapshot();
  const doc = snap.doc;
  // Each tab has its own run store; runs report to the one of the tab that queued them.
  const tabRuns = useTabRuns();
  const [batch, setBatch] = useState(1);
  const batchRef = useRef(batch);
  batchRef.current = batch;
  const [catalog, setCatalog] = useState<NodeCatalog>();
  const [boot, setBoot] = useState<BootResult>();
  const [bootError, setBootError] = useState<string>();
  const [toast, setToast] = useState<{ message: string; kind: 'error' | 'info'; at: number; ms?: number }>();
  const [help, setHelp] = useState(false);
  const [viewer, setViewer] = useState<GalleryItem>();
  const [backend, setBackend] = useState<BackendChoice>(() => (localStorage.getItem('latentloom.backend') as BackendChoice) ?? 'auto');
  const [threads, setThreads] = useState<ThreadSetting>(() => parseThreadSetting(localStorage.getItem(THREADS_KEY)));
  const [backendInUse, setBackendInUse] = useState<string>();
  const [backendsAvailable, setBackendsAvailable] = useState<string[]>();
  const [snapGrid, setSnapGrid] = useState(true);
  // A graph's description shows when it is opened (examples explain themselves), until closed.
  const [infoShown, setInfoShown] = useState(false);
  useEffect(() => setInfoShown(!!store.getSnapshot().doc.meta.description), [snap.loadId, store]);
  const backendRef = useRef(backend);
  backendRef.current = backend;
  const catalogRef = useRef<NodeCatalog | undefined>(undefined);
  catalogRef.current = catalog;
  const controller = useMemo(
    () => new RunController(engine, store, tabRuns, () => backendRef.current, (d) => defaultTargets(d, catalogRef.current)),
    [engine, store, tabRuns],
  );
  const fileInput = useRef<HTMLInputElement>(null);

  const showToast = useCallback((message: string, kind: 'error' | 'info' = 'info', ms?: number) => setToast({ message, kind, at: Date.now(), ms }), []);
  const discard = useDiscardQuestion();
  const docTabs = useDocumentTabs(store, controller, tabRuns, discard.ask);
  const { tabs, setFileIssues, fileIssues, runs } = docTabs;
  // Only the run fields the shell shows: node progress (many updates a second during a run)
  // must not re-render the whole editor; the canvas reads per-node state itself.
  const run = {
    running: useSyncExternalStore(runs.subscribe, () => runs.getSnapshot().running),
    runId: useSyncExternalStore(runs.subscribe, () => runs.getSnapshot().runId),
    gallery: useSyncExternalStore(runs.subscribe, () => runs.getSnapshot().gallery),
  };
  const queue = useSyncExternalStore(controller.subscribeQueue, controller.getQueue);
  const waiting = waitingLine(queue, docTabs.snapshot.activeId, (id) => docTabs.snapshot.tabs.find((t) => t.id === id)?.title);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(undefined), toast.ms ?? (toast.kind === 'error' ? 6000 : 2500));
    return () => clearTimeout(t);
  }, [toast]);

  // Start-up: node types from the worker, then the autosave or the default example.
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const infos = await engine.describeNodes();
      if (cancelled) return;
      const cat = new NodeCatalog(infos);
      const boot = await loadInitialDocument(store, cat, kv);
      if (cancelled) return;
      performance.mark(LOAD_MARKS.document);
      setCatalog(cat);
      setBoot(boot);
      setFileIssues({ source: boot.issueSource, issues: boot.issues });
      if (boot.source === 'autosave') showToast('Restored your last session from autosave');
      // Not asking the worker for backendInfo here: that would start the ONNX runtime before
      // the user has run anything. WebGPU is offered when this browser exposes it.
      setBackendsAvailable('gpu' in navigator ? ['auto', 'webgpu', 'wasm'] : ['auto', 'wasm']);
    })().catch((e: unknown) => setBootError(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
    };
  }, [engine, store, kv, tabRuns, showToast]);

  // The commit that drew the canvas with the first document: from here on the editor is interactive.
  const interactive = !!catalog && !!boot;
  const onInteractiveRef = useRef(onInteractive);
  useEffect(() => {
    if (!interactive) return;
    performance.mark(LOAD_MARKS.interactive);
    // A read-only probe for the browser tests and for debugging from the console.
    Object.assign(window, {
      __latentloom: {
        doc: () => store.getSnapshot().doc,
        revision: () => store.getSnapshot().revision,
        lastRun: () => tabRuns.getShownStore().getSnapshot().lastRun,
        running: () => tabRuns.getShownStore().getSnapshot().running,
        backendInfo: () => engine.backendInfo?.(),
      },
      __latentloomReady: true,
    });
    onInteractiveRef.current?.();
  }, [interactive, store, tabRuns, engine]);

  useEffect(() => {
    if (!kv || !catalog) return;
    const autosave = startAutosave(store, kv, { onError: (e) => showToast(`Autosave failed: ${e.message}`, 'error') });
    const flush = () => void autosave.flush();
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      autosave.stop();
    };
  }, [kv, catalog, store, showToast]);

  useTabsAutosave(tabs, kv, catalog, boot, showToast);

  // The worker picks its backend on the first run: show what it actually uses after each run.
  useEffect(() => {
    if (!run.running && run.runId > 0) engine.backendInfo?.().then((b) => setBackendInUse(b.backend), () => {});
  }, [engine, run.running, run.runId]);

  useEffect(
    () => engine.onCrash((reason) => {
      tabRuns.getShownStore().notify(`The worker crashed (${reason}) and was restarted; your graph is untouched.`);
      showToast(`Worker crashed: ${reason}. Restarted; the graph is untouched.`, 'error');
    }),
    [engine, tabRuns, showToast],
  );
  useEffect(() => watchModelSockets(engine, store, { notify: showToast }), [engine, store, showToast]);

  // Issues and zone members, re-derived when nodes, edges or models change (huge graphs: in a
  // worker, so opening one does not freeze the editor).
  const analysis = useMemo(
    () => catalog && new LiveAnalysis(store, catalog.registry, typeof Worker === 'undefined' ? undefined : createWorkerAnalysisRunner(catalog.infos),
      { onError: (e) => showToast(`Graph check failed in its worker (${e.message}); checking here instead`, 'error') }),
    [catalog, store, showToast],
  );
  useEffect(() => () => analysis?.dispose(), [analysis]);
  const analysed = useSyncExternalStore(analysis ? analysis.subscribe : noSubscription, analysis ? analysis.getSnapshot : noAnalysis);
  const liveIssues = analysed.issues;
  const issues = useMemo(() => [...fileIssues.issues, ...liveIssues], [fileIssues, liveIssues]);
  const randomizedSeeds = useMemo(() => randomizedSeedsOf(doc.ui), [doc.ui]);
  const examples = useMemo(() => exampleGraphs(), []);
  const templates = useExampleTemplates(catalog, examples);

  const applyOpen = useCallback(
    async (opened: OpenResult) => {
      // A document opens in its own tab; a file that cannot be opened leaves the tabs as they are.
      if (opened.doc) tabs.open(opened.doc, opened.source);
      setFileIssues({ source: opened.source, issues: opened.loaderIssues });
      if (opened.doc) {
        const problems = opened.issues.length;
        const others = opened.issues.filter((i) => i.code !== 'converted').length;
        if (opened.converted) showToast(`Opened ${opened.source}: ${opened.converted}${others ? ` (${others} other issue(s): see the Issues tab)` : ''}`, others ? 'error' : 'info', 10_000);
        else if (opened.validationDeferred) showToast(`Opened ${opened.source} (${opened.doc.nodes.length} nodes); checking it in the background`);
        else showToast(problems ? `Opened ${opened.source} with ${problems} issue(s): see the Issues tab` : `Opened ${opened.source}`, problems ? 'error' : 'info');
      } else {
        showToast(`Could not open ${opened.source}: ${opened.issues[0]?.message ?? 'unknown problem'} (see the Issues tab)`, 'error');
      }
    },
    [tabs, setFileIssues, showToast],
  );

  const guard = useRestoreGuard(kv, catalog, applyOpen, (message) => showToast(message, 'error'));
  const { booted } = guard;
  useEffect(() => {
    if (boot) booted(boot);
  }, [boot, booted]);

  const saveJson = useCallback(() => {
    const name = snap.fileName?.endsWith('.json') ? snap.fileName : safeFileName(doc.meta.title, 'json');
    downloadBytes(graphFileText(doc), name, 'application/json');
    store.setFileName(name);
    store.markSaved();
  }, [doc, snap.fileName, store]);

  const flow = useReactFlow();
  const focusNode = useCallback((flat: string) => {
    // An issue inside a subgraph names its inner node by flat id: show the subgraph holding it.
    const nodes = store.getSnapshot().doc.nodes;
    const id = ownerOf(flat, new Set(nodes.filter(isSubgraphNode).map((x) => x.id)));
    const n = nodes.find((x) => x.id === id);
    if (!n) return showToast(`Node "${id}" is not in the graph`, 'error');
    flow.setNodes((ns) => ns.map((x) => ({ ...x, selected: x.id === id })));
    void flow.setCenter((n.ui?.x ?? 0) + 110, (n.ui?.y ?? 0) + 80, { zoom: Math.max(flow.getZoom(), 0.8), duration: 300 });
  }, [flow, store, showToast]);

  // Model files dropped on a "Load upscaler" node (or on the canvas, making one) become its
  // upscaler: the bytes go to the worker, which serves them as `dropped:<file name>`.
  const dropModelFiles = useCallback(async (files: File[], target: EventTarget | null, at: { x: number; y: number }) => {
    if (!engine.registerDroppedFiles || !catalog) return showToast('This editor cannot load dropped model files (no engine worker)', 'error');
    const onNode = (target as Element | null)?.closest?.('.react-flow__node')?.getAttribute('data-id') ?? undefined;
    const current = store.getSnapshot().doc;
    const hit = onNode ? current.nodes.find((n) => n.id === onNode) : undefined;
    if (hit && hit.type !== UPSCALER_LOADER) {
      return showToast(`Node "${hit.id}" (${hit.type}) takes no model file: drop it on a Load upscaler node or on the empty canvas`, 'error');
    }
    let registered;
    try {
      registered = await engine.registerDroppedFiles(files);
    } catch (e) {
      return showToast(`Could not load the dropped model: ${e instanceof Error ? e.message : String(e)}`, 'error');
    }
    const { source } = registered;
    if (hit) {
      store.edit(`Load ${source} into ${hit.id}`, (d) => edits.setParam(d, hit.id, 'source', source));
      showToast(`Node "${hit.id}" loads the dropped ${source.slice(source.indexOf(':') + 1)}`);
      return;
    }
    const id = edits.freshNodeId(current, 'upscaler');
    const node = catalog.instantiate(UPSCALER_LOADER, id, flow.screenToFlowPosition(at));
    node.params.source = source;
    store.edit(`Add upscaler ${source}`, (d) => edits.addNodes(d, [node]));
    showToast(`Added node "${id}" that loads the dropped ${source.slice(source.indexOf(':') + 1)}`);
  }, [engine, catalog, store, flow, showToast]);

  const downloadImage = useCallback((item: GalleryItem) => {
    if (item.png) downloadBytes(item.png, safeFileName(`${doc.meta.title ?? 'image'}-${item.nodeId}-${item.runId}`, 'png'), 'image/png');
  }, [doc.meta.title]);

  useAppKeys({
    undo: () => store.undo(),
    redo: () => store.redo(),
    run: () => void controller.run(undefined, batchRef.current),
    cancel: () => (help ? setHelp(false) : viewer ? setViewer(undefined) : controller.cancel()),
    save: saveJson,
    open: () => fileInput.current?.click(),
    help: () => setHelp((h) => !h),
  });

  usePasteGraph(catalog, applyOpen);
  const tidyUp = useTidyUp(store, catalog);

  // Edits made on the canvas go to the subgraph open in it (or the whole graph).
  const view = useSubgraphView(store, doc);
  const canvasIssues = useMemo(() => view.issuesFor(liveIssues), [view.issuesFor, liveIssues]);
  const canvasMembers = useMemo(() => (view.path.length ? zoneMembers(view.doc) : analysed.members), [view.path.length, view.doc, analysed.members]);
  const actions = useEditorActionsValue(store, view, controller, runs, setViewer);
  const [formView, setFormView] = useState(false);
  const exposure = useExposureValue(store, doc, view.prefix);
  const setFormField = useCallback((field: FormField, value: unknown, final: boolean) => {
    store.edit(`Set ${field.node}.${field.param}`, (d) => setFieldValue(d, field, value), { group: `param:${field.node}:${field.param}` });
    if (final) store.seal();
  }, [store]);

  if (bootError) return <div className="ll-boot-error">The editor could not start: {bootError}</div>;

  return (
    <RunStoreContext.Provider value={runs}>
    <EditorActionsContext.Provider value={actions}>
    <ExposureContext.Provider value={exposure}>
      <div className="ll-app" onDragOver={(e) => e.preventDefault()} onDrop={(e) => {
        // A drop the Models panel took (a model folder) is its own.
        if (e.defaultPrevented) return;
        const files = [...e.dataTransfer.files];
        const file = files[0];
        if (!file) return;
        e.preventDefault();
        if (isModelDrop(files.map((f) => f.name))) void dropModelFiles(files, e.target, { x: e.clientX, y: e.clientY });
        else void openGraphFile(file, catalog).then(applyOpen);
      }}>
        <Toolbar title={`${snap.dirty ? '● ' : ''}${doc.meta.title ?? 'Untitled'}${snap.fileName ? ` — ${snap.fileName}` : ''}`} canUndo={snap.canUndo} canRedo={snap.canRedo}
          undoLabel={snap.undoLabel} redoLabel={snap.redoLabel} running={run.running} ready={!!catalog} examples={examples}
          backend={backend} threads={threads} backendInUse={backendInUse} backendsAvailable={backendsAvailable} snap={snapGrid} status={<RunStatus waiting={waiting} />}
          hasInfo={!!doc.meta.description} onInfo={() => setInfoShown((v) => !v)}
          onNew={docTabs.openNew}
          onOpen={() => fileInput.current?.click()} onSave={saveJson}
          onExample={(name) => {
            const ex = examples.find((e) => e.name === name);
            if (ex) void applyOpen(openGraphText(ex.text, `${ex.name}.json`, catalog));
          }}
          onUndo={() => store.undo()} onRedo={() => store.redo()} onRun={() => void controller.run(undefined, batch)}
          queued={queue.waiting.length} batch={batch} onBatch={setBatch} onCancel={() => controller.cancel()}
          onBackend={(b) => {
            setBackend(b);
            localStorage.setItem('latentloom.backend', b);
          }}
          onThreads={(t) => {
            setThreads(t);
            localStorage.setItem(THREADS_KEY, String(t)); // the connection reads it at the next run
          }}
          onSnap={setSnapGrid} onHelp={() => setHelp(true)} onTidy={tidyUp} formView={formView} onFormView={setFormView} />
        <TabBar snapshot={docTabs.snapshot} activity={docTabs.activity} queue={queue} onSwitch={(id) => tabs.switchTo(id)} onClose={docTabs.close} onNew={docTabs.openNew} />
        {guard.held && <RestoreNotice record={guard.held} onRestore={guard.restoreHeld} onDiscard={guard.discard} onDismiss={guard.dismiss} />}
        <input ref={fileInput} type="file" accept=".json,application/json,image/png" hidden data-testid="file-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void openGraphFile(file, catalog).then(applyOpen);
          }} />
        <div className="ll-main">
          <QueuePanel queue={queue} tabs={docTabs.snapshot} onCancelItem={(id) => controller.dequeue(id)} onClear={() => controller.clearQueue()} />
          {catalog && formView ? (
            <AppForm doc={doc} catalog={catalog} actions={actions} randomizedSeeds={randomizedSeeds} running={run.running} waiting={waiting} gallery={run.gallery} onSetField={setFormField}
              onRun={() => void controller.run(undefined, batch)} onCancel={() => controller.cancel()} onOpenImage={setViewer} onShowGraph={() => setFormView(false)} />
          ) : catalog ? (
            <StatusPrefixContext.Provider value={view.prefix}>
              <SubgraphBar view={view} />
              <GraphCanvas key={view.prefix} store={view.store} doc={view.doc} loadId={snap.loadId} catalog={catalog} issues={canvasIssues} members={canvasMembers}
                randomizedSeeds={randomizedSeeds} templates={templates} snap={snapGrid} onToast={showToast} onOpenSubgraph={view.open} />
            </StatusPrefixContext.Provider>
          ) : (
            <div className="ll-loading">Loading node types from the worker…</div>
          )}
          {!formView && <SidePanel gallery={run.gallery} issues={issues} issueSource={fileIssues.source} checking={analysed.pending} onOpenImage={setViewer} onDownload={downloadImage}
            onSelectNode={focusNode}
            info={infoShown && doc.meta.description ? <GraphInfo title={doc.meta.title} description={doc.meta.description} onClose={() => setInfoShown(false)} /> : undefined}
            sweep={catalog && <SweepPanel doc={doc} loadId={snap.loadId} catalog={catalog} queue={controller} />}
            openSweep={doc.meta.extra?.[SWEEP_META_KEY] !== undefined ? snap.loadId : undefined}
            models={<ModelsPanel doc={doc} engine={engine}
              onAddModel={(key, source) => store.edit(`Add model ${key}`, (d) => void (d.models[key] = { source }))}
              onRemoveModel={(key) => store.edit(`Remove model ${key}`, (d) => void delete d.models[key])} />} />}
        </div>
        {discard.pending && <ConfirmDiscard action={discard.pending.action} loses={discard.pending.loses} onDiscard={() => discard.pending?.answer(true)} onCancel={() => discard.pending?.answer(false)} />}
        {toast && <Toast message={toast.message} kind={toast.kind} />}
        {help && <HelpOverlay onClose={() => setHelp(false)} />}
        {viewer && <ImageViewer item={viewer} onClose={() => setViewer(undefined)} onDownload={() => downloadImage(viewer)} />}
      </div>
    </ExposureContext.Provider>
    </EditorActionsContext.Provider>
    </RunStoreContext.Provider>
  );
}
