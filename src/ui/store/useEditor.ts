/** React binding of the editor store. */
import { createContext, useContext, useSyncExternalStore } from 'react';
import type { EditorSnapshot, EditorStore } from './editorStore.ts';

export const EditorStoreContext = createContext<EditorStore | null>(null);

export function useEditorStore(): EditorStore {
  const store = useContext(EditorStoreContext);
  if (!store) throw new Error('useEditorStore must be used inside <EditorStoreContext.Provider>');
  return store;
}

export function useEditorSnapshot(): EditorSnapshot {
  const store = useEditorStore();
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
