/** Tells a ComfyUI workflow (API or UI form) from other JSON, without trusting its shape. */

export type ComfyFormat = 'api' | 'ui';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function detectComfyFormat(json: unknown): ComfyFormat | undefined {
  if (!isObject(json) || json.format === 'latentloom.graph') return undefined;
  if (Array.isArray(json.nodes) && (Array.isArray(json.links) || json.links === undefined) && json.edges === undefined) {
    return json.nodes.every((n) => isObject(n) && typeof n.type === 'string') ? 'ui' : undefined;
  }
  const values = Object.values(json);
  if (values.length > 0 && values.every((v) => isObject(v) && typeof v.class_type === 'string' && isObject(v.inputs ?? {}))) return 'api';
  return undefined;
}
