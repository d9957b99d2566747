/**
 * Validation that re-checks only what changed since the last document it validated, with the
 * same issues, in the same order, as `validateGraph`:
 *
 * - a node object checked before is not checked again (its type, version, params, ports);
 * - a new version of the last document with the same edges list and model table, whose changed
 *   nodes keep their shape and ports (graph/nodeShape.ts), keeps the checks across nodes (edges,
 *   inputs, cycles, zones) and re-checks the changed nodes alone.
 *
 * Only for documents that are never mutated in place (deeply frozen, as immer produces them): a
 * node object is trusted to hold what it held when it was checked.
 */
import type { GraphDocument, GraphIssue, GraphNode } from './document.ts';
import { sameNodeShape, samePorts } from './nodeShape.ts';
import type { NodeRegistry } from './registry.ts';
import {
  addZoneIssues,
  checkNode,
  checkNodes,
  checkStructure,
  documentShapeIssue,
  stoppedIssue,
  type CheckedNodes,
  type NodeCheck,
  type StructureCheck,
} from './validate.ts';

interface Validated {
  doc: GraphDocument;
  at: Pick<CheckedNodes, 'resolvedAt' | 'issuesAt' | 'checkedAt'>;
  structure: StructureCheck;
}

function collect(at: Validated['at'], structure: StructureCheck): GraphIssue[] {
  const issues: GraphIssue[] = [];
  for (const list of at.issuesAt) if (list) for (const issue of list) issues.push(issue);
  for (const issue of structure.issues) issues.push(issue);
  addZoneIssues(structure.zoneIssues, issues);
  return issues;
}

export class ValidationMemo {
  private nodes = new WeakMap<GraphNode, { models: unknown; check: NodeCheck }>();
  private last?: Validated;

  constructor(readonly registry: NodeRegistry) {}

  /** `validateGraph(doc, registry)`, re-checking only what changed. Never throws. */
  validate(doc: GraphDocument): GraphIssue[] {
    try {
      const shape = documentShapeIssue(doc);
      if (shape) return [shape];
      const revised = this.last ? this.revise(this.last, doc) : undefined;
      if (revised) {
        this.last = revised;
        return collect(revised.at, revised.structure);
      }
      const issues: GraphIssue[] = [];
      const checked = checkNodes(doc, (n) => this.node(n, doc), issues);
      const structure = checkStructure(doc, checked);
      this.last = { doc, at: checked, structure };
      return collect(checked, structure);
    } catch (error) {
      this.last = undefined;
      return [stoppedIssue(error)];
    }
  }

  private node(n: GraphNode, doc: GraphDocument): NodeCheck {
    const hit = this.nodes.get(n);
    // Model params are checked against the document's model table.
    if (hit && hit.models === doc.models) return hit.check;
    const check = checkNode(n, this.registry, doc);
    this.nodes.set(n, { models: doc.models, check });
    return check;
  }

  /** `prior` brought up to `doc` when only same-shaped nodes changed; undefined otherwise. */
  private revise(prior: Validated, doc: GraphDocument): Validated | undefined {
    const before = prior.doc;
    if (before.edges !== doc.edges || before.models !== doc.models || before.nodes.length !== doc.nodes.length) return undefined;
    let at: Validated['at'] | undefined;
    for (let i = 0; i < doc.nodes.length; i++) {
      const was = before.nodes[i];
      const now = doc.nodes[i];
      if (was === now) continue;
      if (!prior.at.checkedAt[i] || !sameNodeShape(was, now)) return undefined;
      const check = this.node(now, doc);
      const old = prior.at.resolvedAt[i];
      const fresh = check.resolved;
      if (old === undefined || fresh === undefined) {
        if (old !== fresh) return undefined;
      } else if (!samePorts(old.inputs, fresh.inputs) || !samePorts(old.outputs, fresh.outputs)) return undefined;
      at ??= { resolvedAt: prior.at.resolvedAt.slice(), issuesAt: prior.at.issuesAt.slice(), checkedAt: prior.at.checkedAt };
      at.resolvedAt[i] = fresh;
      at.issuesAt[i] = check.issues.length > 0 ? check.issues : undefined;
    }
    return { doc, at: at ?? prior.at, structure: prior.structure };
  }
}
