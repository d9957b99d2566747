/** Callbacks the node components use; provided once by the canvas so node data stays plain. */
import { createContext, useContext } from 'react';

export interface EditorActions {
  setParam(nodeId: string, name: string, value: unknown, final: boolean): void;
  toggleCollapsed(nodeId: string): void;
  setParamAsInput(nodeId: string, name: string, asInput: boolean): void;
  /** `key` is "nodeId.param". */
  setSeedRandomize(key: string, on: boolean): void;
  runNode(nodeId: string): void;
  openImage(url: string): void;
}

export const EditorActionsContext = createContext<EditorActions | null>(null);

export function useEditorActions(): EditorActions {
  const actions = useContext(EditorActionsContext);
  if (!actions) throw new Error('useEditorActions must be used inside <EditorActionsContext.Provider>');
  return actions;
}
