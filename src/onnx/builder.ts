/**
 * OnnxGraphBuilder: assemble an ONNX model from TypeScript and serialize it.
 *
 *   const g = new OnnxGraphBuilder();
 *   const x = g.input('sample', 'float32', ['batch', 4, 'h', 'w']);
 *   const y = g.op('Mul', [x, g.constant(Tensor.float32([1], [2]))]);
 *   g.output(y, 'out_sample', 'float32', ['batch', 4, 'h', 'w']);
 *   const bytes = g.toBytes();
 *
 * Values are referred to by their names (plain strings); pass '' for an omitted optional input.
 */
import { Tensor } from '../tensor/tensor.ts';
import { ProtoWriter } from './protoWire.ts';
import {
  encodeNode,
  encodeTensor,
  encodeValueInfo,
  tensorRawBytes,
  type ExternalRef,
  type NodeSpecOnnx,
} from './encode.ts';
import type { OnnxAttributeInput, OnnxDim, OnnxElemType } from './onnxTypes.ts';

export interface OnnxBuilderOptions {
  graphName?: string;
  /** Default-domain opset version (17 unless told). */
  opset?: number;
  /** Extra opset imports, e.g. { 'com.microsoft': 1 }. */
  extraOpsets?: Record<string, number>;
  irVersion?: number;
  producerName?: string;
  docString?: string;
}

export interface OpOptions {
  name?: string;
  domain?: string;
  /** Output count (auto-named) or explicit output names. Defaults to 1. */
  outputs?: number | readonly string[];
}

export interface ExternalDataOptions {
  /** File name written next to the model, referenced from each initializer. */
  location?: string;
  /** Initializers smaller than this stay inline (bytes; default 1024). */
  threshold?: number;
}

export interface OnnxModelFiles {
  model: Uint8Array;
  /** Present when at least one initializer went to the external file. */
  externalData?: Uint8Array;
  externalDataLocation?: string;
}

/** ORT maps external data, so keep every tensor's offset on a page boundary. */
const EXTERNAL_ALIGNMENT = 4096;

interface IoDecl {
  name: string;
  elemType: OnnxElemType;
  shape?: readonly OnnxDim[];
}

export class OnnxGraphBuilder {
  private readonly nodes: NodeSpecOnnx[] = [];
  private readonly inputs: IoDecl[] = [];
  private readonly outputs: IoDecl[] = [];
  private readonly initializers: { name: string; tensor: Tensor }[] = [];
  private readonly usedNames = new Set<string>();
  private readonly metadata: [string, string][] = [];
  private counter = 0;

  constructor(private readonly options: OnnxBuilderOptions = {}) {}

  private claim(name: string): string {
    if (this.usedNames.has(name)) throw new Error(`OnnxGraphBuilder: value name "${name}" is already used`);
    this.usedNames.add(name);
    return name;
  }

  /** A fresh value name with the given prefix. */
  fresh(prefix = 'v'): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`;
    while (this.usedNames.has(name));
    return this.claim(name);
  }

  input(name: string, elemType: OnnxElemType, shape?: readonly OnnxDim[]): string {
    this.inputs.push({ name: this.claim(name), elemType, shape });
    return name;
  }

  /** A named weight (initializer). */
  initializer(name: string, tensor: Tensor): string {
    this.initializers.push({ name: this.claim(name), tensor });
    return name;
  }

  /** An anonymous constant (stored as an initializer). */
  constant(tensor: Tensor, prefix = 'const'): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, tensor });
    return name;
  }

  /** Adds a node with one output and returns that output's name. */
  op(opType: string, inputs: readonly string[], attributes?: Record<string, OnnxAttributeInput>, opts: OpOptions = {}): string {
    return this.opMulti(opType, inputs, attributes, { ...opts, outputs: opts.outputs ?? 1 })[0];
  }

  /** Adds a node and returns all its output names. */
  opMulti(
    opType: string,
    inputs: readonly string[],
    attributes?: Record<string, OnnxAttributeInput>,
    opts: OpOptions = {},
  ): string[] {
    for (const i of inputs) {
      if (i !== '' && !this.usedNames.has(i)) {
        throw new Error(`OnnxGraphBuilder: ${opType} input "${i}" is not a known value`);
      }
    }
    const spec = opts.outputs ?? 1;
    const outputs = typeof spec === 'number'
      ? Array.from({ length: spec }, () => this.fresh(opType.toLowerCase()))
      : spec.map((n) => this.claim(n));
    this.nodes.push({ opType, inputs: [...inputs], outputs, attributes, name: opts.name ?? `${opType}_${this.nodes.length}`, domain: opts.domain });
    return outputs;
  }

  /** Declares a graph output; renames `value` through an Identity node when the names differ. */
  output(value: string, name: string, elemType: OnnxElemType, shape?: readonly OnnxDim[]): string {
    let outName = value;
    if (value !== name) {
      outName = this.claim(name);
      this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [outName], name: `out_${name}` });
    }
    this.outputs.push({ name: outName, elemType, shape });
    return outName;
  }

  metadataProp(key: string, value: string): this {
    this.metadata.push([key, value]);
    return this;
  }

  /** The model as one self-contained .onnx file. */
  toBytes(): Uint8Array {
    return this.encodeModel(new Map()).finish();
  }

  /**
   * The model plus an external-data file: large initializers go to `location`
   * (default `model.onnx_data`) with offset/length references, as Hugging Face exports do.
   */
  toFiles(ext: ExternalDataOptions = {}): OnnxModelFiles {
    const location = ext.location ?? 'model.onnx_data';
    const threshold = ext.threshold ?? 1024;
    const refs = new Map<string, ExternalRef>();
    const chunks: Uint8Array[] = [];
    let offset = 0;
    for (const { name, tensor } of this.initializers) {
      const raw = tensorRawBytes(tensor);
      if (raw.byteLength < threshold) continue;
      const aligned = Math.ceil(offset / EXTERNAL_ALIGNMENT) * EXTERNAL_ALIGNMENT;
      if (aligned > offset) chunks.push(new Uint8Array(aligned - offset));
      refs.set(name, { location, offset: aligned, length: raw.byteLength });
      chunks.push(raw);
      offset = aligned + raw.byteLength;
    }
    const model = this.encodeModel(refs).finish();
    if (refs.size === 0) return { model };
    const externalData = new Uint8Array(offset);
    let at = 0;
    for (const c of chunks) {
      externalData.set(c, at);
      at += c.byteLength;
    }
    return { model, externalData, externalDataLocation: location };
  }

  private encodeModel(external: Map<string, ExternalRef>): ProtoWriter {
    const graph = new ProtoWriter();
    for (const n of this.nodes) graph.message(1, encodeNode(n));
    graph.string(2, this.options.graphName ?? 'latentloom_graph');
    for (const { name, tensor } of this.initializers) graph.message(5, encodeTensor(name, tensor, external.get(name)));
    for (const i of this.inputs) graph.message(11, encodeValueInfo(i.name, i.elemType, i.shape));
    for (const o of this.outputs) graph.message(12, encodeValueInfo(o.name, o.elemType, o.shape));

    const model = new ProtoWriter();
    model.varint(1, this.options.irVersion ?? 8);
    model.string(2, this.options.producerName ?? 'latentloom');
    model.string(3, '0.1');
    if (this.options.docString) model.string(6, this.options.docString);
    model.message(7, graph);
    model.message(8, new ProtoWriter().varint(2, this.options.opset ?? 17));
    for (const [domain, version] of Object.entries(this.options.extraOpsets ?? {})) {
      model.message(8, new ProtoWriter().string(1, domain).varint(2, version));
    }
    for (const [k, v] of this.metadata) model.message(14, new ProtoWriter().string(1, k).string(2, v));
    return model;
  }
}
