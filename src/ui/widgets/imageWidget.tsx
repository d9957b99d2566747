/**
 * Image drop zone: drop or pick a picture; it is stored as a data: URL in the param. A URL source
 * is not fetched for a preview until the user presses "load preview" (see imagePreview.ts).
 */
import { useState, type DragEvent } from 'react';
import type { WidgetProps } from './types.ts';
import { approvePreview, imagePreviewOf } from './imagePreview.ts';

export function readFileAsDataUrl(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('Could not read the file'));
    reader.readAsDataURL(file);
  });
}

export function ImageWidget({ spec, value, onChange, name }: WidgetProps<'image'>) {
  const [error, setError] = useState<string>();
  const [, setApprovals] = useState(0);
  const accept = async (file: File | undefined) => {
    if (!file) return;
    if (!file.type.startsWith('image/')) {
      setError(`"${file.name}" is not an image (${file.type || 'unknown type'})`);
      return;
    }
    setError(undefined);
    onChange(await readFileAsDataUrl(file), true);
  };
  const drop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    e.stopPropagation(); // keep the editor's "drop a graph file" handler out of it
    void accept(e.dataTransfer.files[0]);
  };
  const preview = imagePreviewOf(value);
  return (
    <div className="ll-widget ll-widget-image nodrag" data-param={name}
      onDragOver={(e) => e.preventDefault()} onDrop={drop}>
      <span className="ll-widget-label">{spec.label ?? name}</span>
      <label className="ll-dropzone">
        {preview.kind === 'inline' && <img src={preview.src} alt={name} />}
        {preview.kind === 'remote' && <span className="ll-image-url" title={preview.src}>{preview.src}</span>}
        {preview.kind === 'text' && <span>{preview.text}</span>}
        {preview.kind === 'empty' && <span>Drop an image or click</span>}
        <input type="file" accept="image/*" hidden onChange={(e) => void accept(e.target.files?.[0])} />
      </label>
      {preview.kind === 'remote' && (
        <button type="button" className="ll-small-button" data-testid="load-preview"
          title={`Fetch ${preview.src} to show it here (the graph is not run)`}
          onClick={() => {
            approvePreview(preview.src);
            setApprovals((n) => n + 1);
          }}>load preview</button>
      )}
      {error && <div className="ll-widget-error">{error}</div>}
    </div>
  );
}
