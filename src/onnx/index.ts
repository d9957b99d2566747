/** ONNX model writing and interface reading (no runtime dependency; imports src/tensor only). */
export { OnnxGraphBuilder } from './builder.ts';
export type { OnnxBuilderOptions, OpOptions, ExternalDataOptions, OnnxModelFiles } from './builder.ts';
export { attr, ONNX_DATA_TYPE, elemTypeName } from './onnxTypes.ts';
export type { OnnxAttribute, OnnxAttributeInput, OnnxDim, OnnxElemType, OnnxValueInfo } from './onnxTypes.ts';
export { readOnnxModelInfo, OnnxFormatError } from './reader.ts';
export type { OnnxModelInfo, OnnxInitializerInfo } from './reader.ts';
export { ProtoWriter, ProtoReader, ProtoParseError } from './protoWire.ts';
