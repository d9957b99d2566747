/** The validation the engine runs before every run (`validateGraph` by default). */
import type { GraphDocument, GraphIssue } from '../graph/document.ts';
import type { NodeRegistry } from '../graph/registry.ts';
import { validateGraph } from '../graph/validate.ts';

export type GraphValidator = (graph: GraphDocument, registry: NodeRegistry) => GraphIssue[];

export const defaultValidator: GraphValidator = validateGraph;
