/** The contract between the generic node component and the per-kind parameter widgets. */
import type { ReactElement } from 'react';
import type { ParamKind, ParamSpec, ParamValueByKind } from '../../graph/nodeSpec.ts';

export type ParamSpecOf<K extends ParamKind> = Extract<ParamSpec, { kind: K }>;

export interface WidgetProps<K extends ParamKind> {
  nodeId: string;
  name: string;
  spec: ParamSpecOf<K>;
  value: ParamValueByKind[K];
  /**
   * `final` is false while a gesture is in progress (typing, dragging a slider) so the store can
   * group it into one undo step; true when the gesture ends.
   */
  onChange(value: ParamValueByKind[K], final?: boolean): void;
  /** Model keys of the document, for the model picker. */
  models: readonly string[];
  /** Seeds: whether the seed is re-rolled after each run, and its setter. */
  randomizeAfterRun?: boolean;
  onRandomizeAfterRunChange?(on: boolean): void;
}

export type WidgetComponent<K extends ParamKind> = (props: WidgetProps<K>) => ReactElement;

/** One widget per param kind: adding a kind to ParamSpec without a widget fails to compile. */
export type WidgetRegistry = { readonly [K in ParamKind]: WidgetComponent<K> };
