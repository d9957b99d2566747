/**
 * The body of `POST /prompt` → a validated LatentLoom graph, or the HTTP 400 answer ComfyUI gives
 * (`{ error: { type, message, details, extra_info }, node_errors: { <id>: { errors, class_type,
 * dependent_outputs } } }`). The prompt is ComfyUI's API form or a LatentLoom graph file object;
 * node ids in errors are the prompt's own ids.
 */
import type { GraphDocument, GraphIssue } from '../graph/document.ts';
import type { NodeRegistry } from '../graph/registry.ts';
import { validateGraph } from '../graph/validate.ts';
import { loadGraph } from '../persistence/load.ts';
import { ComfyImportError, detectComfyFormat, importComfyWorkflow, type ImportOptions } from '../interop/comfy/index.ts';

export interface ComfyNodeError {
  errors: { type: string; message: string; details: string; extra_info: Record<string, unknown> }[];
  dependent_outputs: string[];
  class_type: string;
}

export interface PromptRejection {
  error: { type: string; message: string; details: string; extra_info: Record<string, unknown> };
  node_errors: Record<string, ComfyNodeError>;
}

export interface AcceptedPrompt {
  graph: GraphDocument;
  /** LatentLoom node id → prompt node id (identity for LatentLoom graphs). */
  origins: Record<string, string>;
  /** Prompt node id → its class (ComfyUI class, or LatentLoom node type). */
  classes: Record<string, string>;
  /** Prompt ids of the output nodes (ComfyUI's `outputs_to_execute`). */
  outputs: string[];
  /** The prompt as received, kept for /queue and /history. */
  prompt: unknown;
  warnings: string[];
}

function rejection(type: string, message: string, details = '', nodeErrors: Record<string, ComfyNodeError> = {}): PromptRejection {
  return { error: { type, message, details, extra_info: {} }, node_errors: nodeErrors };
}

function nodeError(classType: string, type: string, message: string): ComfyNodeError {
  return { errors: [{ type, message, details: message, extra_info: {} }], dependent_outputs: [], class_type: classType };
}

/** Graph issues as ComfyUI node errors under the prompt's own node ids. */
function issuesToRejection(issues: readonly GraphIssue[], origins: Record<string, string>, classes: Record<string, string>): PromptRejection {
  const nodeErrors: Record<string, ComfyNodeError> = Object.create(null) as Record<string, ComfyNodeError>;
  const general: string[] = [];
  for (const issue of issues) {
    const id = issue.node !== undefined ? (Object.hasOwn(origins, issue.node) ? origins[issue.node] : issue.node) : undefined;
    const message = `${issue.port ? `${issue.port}: ` : ''}${issue.message}`;
    if (id === undefined) {
      general.push(message);
      continue;
    }
    const entry = (nodeErrors[id] ??= nodeError(Object.hasOwn(classes, id) ? classes[id] : 'unknown', issue.code, message));
    if (entry.errors[0].message !== message) entry.errors.push({ type: issue.code, message, details: message, extra_info: {} });
  }
  return rejection('prompt_outputs_failed_validation', 'Prompt outputs failed validation', general.join('\n'), nodeErrors);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function acceptPrompt(body: unknown, registry: NodeRegistry, comfy: ImportOptions = {}): AcceptedPrompt | PromptRejection {
  if (!isObject(body) || !('prompt' in body)) return rejection('invalid_prompt', 'The request body must be a JSON object with a "prompt"');
  const prompt = body.prompt;
  if (!isObject(prompt)) return rejection('invalid_prompt', '"prompt" must be an object: ComfyUI\'s API form or a LatentLoom graph');
  let document: unknown = prompt;
  let origins: Record<string, string> = Object.create(null) as Record<string, string>;
  const classes: Record<string, string> = Object.create(null) as Record<string, string>;
  const warnings: string[] = [];
  const native = prompt.format === 'latentloom.graph';
  if (!native) {
    if (detectComfyFormat(prompt) !== 'api') {
      return rejection('invalid_prompt', '"prompt" is neither ComfyUI\'s API form ({ "<id>": { "class_type": …, "inputs": … } }) nor a LatentLoom graph (format "latentloom.graph")');
    }
    for (const [id, node] of Object.entries(prompt)) classes[id] = String((node as { class_type?: unknown }).class_type);
    if (Object.keys(prompt).length === 0) return rejection('prompt_no_outputs', 'Prompt has no outputs');
    try {
      const converted = importComfyWorkflow(prompt, comfy);
      document = converted.document;
      origins = converted.origins;
      warnings.push(...converted.warnings);
    } catch (error) {
      if (!(error instanceof ComfyImportError)) throw error;
      if (error.node === undefined) return rejection('invalid_prompt', error.message);
      const classType = Object.hasOwn(classes, error.node) ? classes[error.node] : 'unknown';
      return rejection('prompt_outputs_failed_validation', 'Prompt outputs failed validation', error.message, { [error.node]: nodeError(classType, 'invalid_input', error.message) });
    }
  }
  const loaded = loadGraph(document);
  if (!loaded.ok) return issuesToRejection(loaded.issues, origins, classes);
  const graph = loaded.graph;
  if (native) {
    for (const node of graph.nodes) {
      origins[node.id] = node.id;
      classes[node.id] = node.type;
    }
  }
  const errors = validateGraph(graph, registry).filter((i) => i.severity !== 'warning');
  if (errors.length > 0) return issuesToRejection(errors, origins, classes);
  const outputNodes = graph.nodes.filter((n) => registry.get(n.type)?.isOutput);
  if (outputNodes.length === 0) return rejection('prompt_no_outputs', 'Prompt has no outputs', warnings.join('\n'));
  const outputs = [...new Set(outputNodes.map((n) => (Object.hasOwn(origins, n.id) ? origins[n.id] : n.id)))];
  return { graph, origins, classes, outputs, prompt, warnings };
}

export function isRejection(value: AcceptedPrompt | PromptRejection): value is PromptRejection {
  return 'error' in value;
}
