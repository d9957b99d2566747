/**
 * A small ModelProto reader: enough to list a model's inputs, outputs and initializers, find its
 * external-data files, and turn truncated or corrupt files into clear errors before a runtime
 * sees them. Node bodies are skipped, not decoded.
 */
import { ProtoParseError, ProtoReader, int64ToNumber, WIRE_LEN, WIRE_VARINT, type ProtoField } from './protoWire.ts';
import { elemTypeName, type OnnxDim, type OnnxValueInfo } from './onnxTypes.ts';

export interface OnnxInitializerInfo {
  name: string;
  elemType: OnnxValueInfo['elemType'];
  dims: number[];
  /** Set when the weights live in an external-data file. */
  external?: { location: string; offset: number; length?: number };
}

export interface OnnxModelInfo {
  irVersion: number;
  producerName: string;
  opsets: { domain: string; version: number }[];
  graphName: string;
  /** Graph inputs that are not initializers (what a caller must feed). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: OnnxInitializerInfo[];
  nodeCount: number;
  /** External-data file names referenced by initializers (e.g. `model.onnx_data`). */
  externalDataFiles: string[];
  metadata: Record<string, string>;
}

export class OnnxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxFormatError';
  }
}

function expectWire(f: ProtoField, wire: number, what: string): void {
  if (f.wire !== wire) {
    throw new ProtoParseError(`corrupt ${what}: field ${f.field} has wire type ${f.wire}, expected ${wire}`);
  }
}

function readKeyValue(r: ProtoReader, f: ProtoField): [string, string] {
  const sub = r.sub(f, 'StringStringEntryProto');
  let key = '';
  let value = '';
  while (!sub.done) {
    const g = sub.next();
    if (g.field === 1 && g.wire === WIRE_LEN) key = sub.string(g);
    else if (g.field === 2 && g.wire === WIRE_LEN) value = sub.string(g);
  }
  return [key, value];
}

function readValueInfo(r: ProtoReader, f: ProtoField): OnnxValueInfo {
  const vi = r.sub(f, 'ValueInfoProto');
  const info: OnnxValueInfo = { name: '', elemType: 'unknown(0)' as const };
  while (!vi.done) {
    const g = vi.next();
    if (g.field === 1 && g.wire === WIRE_LEN) info.name = vi.string(g);
    else if (g.field === 2 && g.wire === WIRE_LEN) {
      const type = vi.sub(g, 'TypeProto');
      while (!type.done) {
        const t = type.next();
        if (t.field !== 1 || t.wire !== WIRE_LEN) continue; // sequence/map types: not described
        const tt = type.sub(t, 'TypeProto.Tensor');
        while (!tt.done) {
          const h = tt.next();
          if (h.field === 1 && h.wire === WIRE_VARINT) info.elemType = elemTypeName(Number(h.varint));
          else if (h.field === 2 && h.wire === WIRE_LEN) info.shape = readShape(tt, h);
        }
      }
    }
  }
  return info;
}

function readShape(r: ProtoReader, f: ProtoField): OnnxDim[] {
  const shape = r.sub(f, 'TensorShapeProto');
  const dims: OnnxDim[] = [];
  while (!shape.done) {
    const d = shape.next();
    if (d.field !== 1) continue;
    expectWire(d, WIRE_LEN, 'TensorShapeProto');
    const dim = shape.sub(d, 'Dimension');
    let value: OnnxDim = null;
    while (!dim.done) {
      const g = dim.next();
      if (g.field === 1 && g.wire === WIRE_VARINT) value = int64ToNumber(g.varint);
      else if (g.field === 2 && g.wire === WIRE_LEN) value = dim.string(g);
    }
    dims.push(value);
  }
  return dims;
}

function readInitializer(r: ProtoReader, f: ProtoField): OnnxInitializerInfo {
  const t = r.sub(f, 'TensorProto');
  const info: OnnxInitializerInfo = { name: '', elemType: 'unknown(0)' as const, dims: [] };
  const ext: Record<string, string> = {};
  let isExternal = false;
  while (!t.done) {
    const g = t.next();
    if (g.field === 1) info.dims.push(...t.varints(g).map(int64ToNumber));
    else if (g.field === 2 && g.wire === WIRE_VARINT) info.elemType = elemTypeName(Number(g.varint));
    else if (g.field === 8 && g.wire === WIRE_LEN) info.name = t.string(g);
    else if (g.field === 13 && g.wire === WIRE_LEN) {
      const [k, v] = readKeyValue(t, g);
      ext[k] = v;
    } else if (g.field === 14 && g.wire === WIRE_VARINT) isExternal = g.varint === 1n;
  }
  if (isExternal) {
    info.external = {
      location: ext.location ?? '',
      offset: ext.offset ? Number(ext.offset) : 0,
      length: ext.length ? Number(ext.length) : undefined,
    };
  }
  return info;
}

/**
 * Parses the parts of a ModelProto that describe its interface. Throws OnnxFormatError naming
 * `fileLabel` when the bytes are truncated, corrupt, or not an ONNX model at all.
 */
export function readOnnxModelInfo(bytes: Uint8Array, fileLabel = 'model.onnx'): OnnxModelInfo {
  if (bytes.length === 0) throw new OnnxFormatError(`${fileLabel} is empty (0 bytes)`);
  const info: OnnxModelInfo = {
    irVersion: 0,
    producerName: '',
    opsets: [],
    graphName: '',
    inputs: [],
    outputs: [],
    initializers: [],
    nodeCount: 0,
    externalDataFiles: [],
    metadata: {},
  };
  let sawGraph = false;
  try {
    const model = new ProtoReader(bytes, 0, bytes.length, 'ModelProto');
    const graphInputs: OnnxValueInfo[] = [];
    while (!model.done) {
      const f = model.next();
      if (f.field === 1 && f.wire === WIRE_VARINT) info.irVersion = int64ToNumber(f.varint);
      else if (f.field === 2 && f.wire === WIRE_LEN) info.producerName = model.string(f);
      else if (f.field === 8 && f.wire === WIRE_LEN) {
        const op = model.sub(f, 'OperatorSetIdProto');
        const entry = { domain: '', version: 0 };
        while (!op.done) {
          const g = op.next();
          if (g.field === 1 && g.wire === WIRE_LEN) entry.domain = op.string(g);
          else if (g.field === 2 && g.wire === WIRE_VARINT) entry.version = int64ToNumber(g.varint);
        }
        info.opsets.push(entry);
      } else if (f.field === 14 && f.wire === WIRE_LEN) {
        const [k, v] = readKeyValue(model, f);
        info.metadata[k] = v;
      } else if (f.field === 7) {
        expectWire(f, WIRE_LEN, 'ModelProto');
        sawGraph = true;
        const graph = model.sub(f, 'GraphProto');
        while (!graph.done) {
          const g = graph.next();
          if (g.wire !== WIRE_LEN) continue;
          if (g.field === 1) info.nodeCount++;
          else if (g.field === 2) info.graphName = graph.string(g);
          else if (g.field === 5) info.initializers.push(readInitializer(graph, g));
          else if (g.field === 11) graphInputs.push(readValueInfo(graph, g));
          else if (g.field === 12) info.outputs.push(readValueInfo(graph, g));
        }
      }
    }
    // Before IR 4 initializers were also listed as inputs; callers only feed the rest.
    const initNames = new Set(info.initializers.map((i) => i.name));
    info.inputs = graphInputs.filter((i) => !initNames.has(i.name));
  } catch (err) {
    if (err instanceof ProtoParseError) {
      throw new OnnxFormatError(`${fileLabel} is not a valid ONNX model (${err.message}); the file may be truncated or corrupt`);
    }
    throw err;
  }
  if (!sawGraph || info.irVersion <= 0 || info.opsets.length === 0) {
    throw new OnnxFormatError(
      `${fileLabel} is not an ONNX model: ${!sawGraph ? 'no graph' : info.irVersion <= 0 ? 'no IR version' : 'no opset import'} found in ${bytes.length} bytes`,
    );
  }
  info.externalDataFiles = [...new Set(info.initializers.flatMap((i) => (i.external ? [i.external.location] : [])))];
  return info;
}
