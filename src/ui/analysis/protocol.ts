/**
 * The analysis worker's messages, and the handler that answers them (pure: the worker entry
 * wires it to `self`, and the tests call it directly).
 */
import type { GraphDocument, GraphIssue } from '../../graph/document.ts';
import { NodeCatalog, type NodeTypeInfo } from '../catalog.ts';
import { analyzeGraph } from './graphAnalysis.ts';

export interface AnalysisRequest {
  id: number;
  /** The node types, sent with a worker's first request. */
  infos?: readonly NodeTypeInfo[];
  doc: GraphDocument;
}

export type AnalysisResponse =
  | { id: number; issues: GraphIssue[]; members: [string, string[]][] }
  | { id: number; error: string };

export interface AnalysisWorkerState {
  catalog?: NodeCatalog;
}

export function handleAnalysisRequest(state: AnalysisWorkerState, request: AnalysisRequest): AnalysisResponse {
  try {
    if (request.infos) state.catalog = new NodeCatalog(request.infos);
    if (!state.catalog) return { id: request.id, error: 'the analysis worker was given no node types' };
    const result = analyzeGraph(request.doc, state.catalog.registry);
    return { id: request.id, issues: result.issues, members: [...result.members] };
  } catch (error) {
    return { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
}
