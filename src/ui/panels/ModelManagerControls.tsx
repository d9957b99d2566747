/**
 * The model manager's actions in the Models panel: download a URL package of the graph now (with
 * progress), and load a local folder — picked with the File System Access API, chosen with
 * `<input webkitdirectory>` where there is no picker, or dropped — which the worker registers as
 * `folder:<name>` and the graph's models table then names.
 */
import { useRef, useState, type DragEvent } from 'react';
import type { GraphDocument } from '../../graph/document.ts';
import type { EngineConnection, ModelDownloadProgress, PickedFolder } from '../run/engineConnection.ts';
import { downloadText } from '../run/progress.ts';

export interface ModelManagerControlsProps {
  doc: GraphDocument;
  engine?: EngineConnection;
  onAddModel(key: string, source: string): void;
  /** The browser's model cache changed (refresh the cached list). */
  onCacheChanged(): void;
}

interface Download {
  progress?: ModelDownloadProgress;
  /** Progress reports received (the e2e test checks they streamed). */
  reports: number;
  done?: string;
  error?: string;
  /** When the current file's first report came, and its bytes then (for MB/s). */
  fileSince?: number;
  fileFrom?: number;
}

type DirectoryPicker = () => Promise<FileSystemDirectoryHandle>;
type HandleItem = DataTransferItem & { getAsFileSystemHandle?: () => Promise<FileSystemHandle | null> };

/** "file 12.3 / 45 MB (27%) · 3.2 MB/s", the rate over this file since its first report. */
const progressLine = (d: Download) => {
  const p = d.progress!;
  return ` ${p.file} ${downloadText(p.loaded, p.total, performance.now() - (d.fileSince ?? performance.now()), d.fileFrom)}`;
};

export function ModelManagerControls({ doc, engine, onAddModel, onCacheChanged }: ModelManagerControlsProps) {
  const [downloads, setDownloads] = useState<Record<string, Download>>({});
  const [folderNote, setFolderNote] = useState<{ text: string; error?: boolean }>();
  const fileInput = useRef<HTMLInputElement>(null);
  const urlModels = Object.entries(doc.models).filter(([, ref]) => /^https?:\/\//i.test(ref.source));

  const download = (key: string, source: string) => {
    if (!engine?.prefetchModel) return;
    const update = (change: (d: Download) => Download) => setDownloads((all) => ({ ...all, [key]: change(all[key] ?? { reports: 0 }) }));
    update(() => ({ reports: 0 }));
    engine
      .prefetchModel(source, (progress) => update((d) => {
        const sameFile = d.progress?.file === progress.file && d.fileSince !== undefined;
        return { ...d, progress, reports: d.reports + 1, fileSince: sameFile ? d.fileSince : performance.now(), fileFrom: sameFile ? d.fileFrom : progress.loaded };
      }))
      .then(
        (r) => update((d) => ({ ...d, done: `downloaded: ${r.files.length} files` })),
        (e: unknown) => update((d) => ({ ...d, error: e instanceof Error ? e.message : String(e) })),
      )
      .finally(onCacheChanged);
  };

  const register = async (folder: PickedFolder) => {
    if (!engine?.registerFolder) return;
    try {
      const r = await engine.registerFolder(folder);
      const used = Object.values(doc.models).some((ref) => ref.source === r.source);
      if (!used) onAddModel(r.name.replace(/[^\w-]+/g, '_') || 'folder', r.source);
      setFolderNote({ text: `${r.source} loaded (${r.files.length} package files)${used ? '' : ', added to the graph'}` });
    } catch (e) {
      setFolderNote({ text: e instanceof Error ? e.message : String(e), error: true });
    }
  };

  const pickFolder = async () => {
    const picker = (window as unknown as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker;
    if (!picker) return fileInput.current?.click();
    try {
      await register(await picker());
    } catch (e) {
      if ((e as { name?: string }).name !== 'AbortError') setFolderNote({ text: String(e), error: true });
    }
  };

  const drop = async (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    const item = [...event.dataTransfer.items].find((i) => i.kind === 'file') as HandleItem | undefined;
    const handle = await item?.getAsFileSystemHandle?.();
    if (handle?.kind === 'directory') return register(handle as FileSystemDirectoryHandle);
    setFolderNote({ text: 'drop a model folder (this browser gives no folder handle for drops: use "load folder")', error: true });
  };

  if (!engine?.prefetchModel && !engine?.registerFolder) return null;
  return (
    <div className="ll-model-manager">
      {urlModels.length > 0 && engine?.prefetchModel && (
        <ul className="ll-model-list">
          {urlModels.map(([key, ref]) => {
            const d = downloads[key];
            return (
              <li key={key} data-testid={`model-download-${key}`} data-progress-reports={d?.reports ?? 0}>
                <button type="button" className="ll-small-button" onClick={() => download(key, ref.source)}>download {key}</button>
                {d?.progress && !d.done && !d.error && (
                  <>
                    <progress value={d.progress.loaded} max={d.progress.total ?? undefined} /> <span className="ll-muted" data-testid="download-text">{progressLine(d)}</span>
                  </>
                )}
                {d?.done && <span className="ll-muted"> {d.done}</span>}
                {d?.error && <span className="ll-widget-error"> {d.error}</span>}
              </li>
            );
          })}
        </ul>
      )}
      {engine?.registerFolder && (
        <div onDragOver={(e) => e.preventDefault()} onDrop={(e) => void drop(e)}>
          <button type="button" className="ll-small-button" onClick={() => void pickFolder()}>load folder</button>
          <span className="ll-muted"> or drop a model folder here</span>
          <input ref={fileInput} type="file" hidden data-testid="model-folder-input"
            {...({ webkitdirectory: '' } as Record<string, string>)}
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              if (files.length > 0) void register({ files });
            }} />
          {folderNote && <p className={folderNote.error ? 'll-widget-error' : 'll-muted'}>{folderNote.text}</p>}
        </div>
      )}
    </div>
  );
}
