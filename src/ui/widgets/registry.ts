/**
 * The widget registry: one component per ParamKind. Typed as a mapped type over ParamKind, so a
 * new param kind in src/graph/nodeSpec.ts without a widget here is a compile error.
 */
import { createElement, type ReactElement } from 'react';
import type { ParamKind, ParamSpec, ParamValueByKind } from '../../graph/nodeSpec.ts';
import type { WidgetComponent, WidgetProps, WidgetRegistry } from './types.ts';
import { NumberWidget, SeedWidget } from './numberWidgets.tsx';
import { BooleanWidget, EnumWidget, ModelWidget, StringWidget } from './textWidgets.tsx';
import { ImageWidget } from './imageWidget.tsx';
import { PortsWidget } from './portsWidget.tsx';

export const WIDGETS: WidgetRegistry = {
  int: NumberWidget,
  float: NumberWidget,
  string: StringWidget,
  enum: EnumWidget,
  boolean: BooleanWidget,
  seed: SeedWidget,
  image: ImageWidget,
  model: ModelWidget,
  ports: PortsWidget,
};

/** The value to show for a param: the stored one if it has the right shape, else the default. */
export function widgetValue<K extends ParamKind>(spec: Extract<ParamSpec, { kind: K }>, stored: unknown): ParamValueByKind[K] {
  const fallback = spec.default as ParamValueByKind[K];
  switch (spec.kind) {
    case 'int':
    case 'float':
    case 'seed':
      return (typeof stored === 'number' && Number.isFinite(stored) ? stored : fallback) as ParamValueByKind[K];
    case 'boolean':
      return (typeof stored === 'boolean' ? stored : fallback) as ParamValueByKind[K];
    case 'ports':
      return (Array.isArray(stored) ? stored : [...(fallback as unknown[])]) as ParamValueByKind[K];
    default:
      return (typeof stored === 'string' ? stored : fallback) as ParamValueByKind[K];
  }
}

/** Renders the registered widget for `spec`'s kind. */
export function renderWidget<K extends ParamKind>(props: WidgetProps<K> & { spec: { kind: K } }): ReactElement {
  const component = WIDGETS[props.spec.kind] as WidgetComponent<K>;
  return createElement(component, { ...props, key: props.name });
}
