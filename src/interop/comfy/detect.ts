/** Tells a ComfyUI workflow (API or UI form) from other JSON, without trusting its shape. */

export type ComfyFormat = 'api' | 'ui';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function detectComfyFormat(json: unknown): ComfyFormat | undefined {
  if (!isObject(json) || json.format === 'latentloom.graph') return undefined;
  // The UI form has no `format` key and carries `links` (or at least `last_node_id`): a file with
  // a bare `nodes` list and nothing else is a broken LatentLoom graph, reported as one.
  const uiMarkers = Array.isArray(json.links) || typeof json.last_node_id === 'number';
  if (json.format === undefined && Array.isArray(json.nodes) && uiMarkers && json.edges === undefined) {
    return json.nodes.every((n) => isObject(n) && typeof n.type === 'string') ? 'ui' : undefined;
  }
  if (unwrapPrompt(json) !== json) return 'api';
  const values = Object.values(json);
  if (values.length > 0 && values.every((v) => isObject(v) && typeof v.class_type === 'string' && isObject(v.inputs ?? {}))) return 'api';
  return undefined;
}

/** The API form inside the body of a POST /prompt request (`{ "prompt": {…}, "client_id": … }`), else the value itself. */
export function unwrapPrompt(json: unknown): unknown {
  if (!isObject(json) || !isObject(json.prompt) || isObject(json.prompt) && typeof json.prompt.class_type === 'string') return json;
  return detectComfyFormat(json.prompt) === 'api' ? json.prompt : json;
}
