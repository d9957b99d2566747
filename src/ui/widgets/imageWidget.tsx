/** Image drop zone: drop or pick a picture; it is stored as a data: URL in the param. */
import { useState, type DragEvent } from 'react';
import type { WidgetProps } from './types.ts';

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
  const shown = value.startsWith('data:image/') || /^(https?:|blob:|\/)/.test(value);
  return (
    <div className="ll-widget ll-widget-image nodrag" data-param={name}
      onDragOver={(e) => e.preventDefault()} onDrop={drop}>
      <span className="ll-widget-label">{spec.label ?? name}</span>
      <label className="ll-dropzone">
        {shown ? <img src={value} alt={name} /> : <span>{value || 'Drop an image or click'}</span>}
        <input type="file" accept="image/*" hidden onChange={(e) => void accept(e.target.files?.[0])} />
      </label>
      {error && <div className="ll-widget-error">{error}</div>}
    </div>
  );
}
