/**
 * `metrics/features`: an image model's features over an image batch → their mean and covariance
 * (float64), the statistics FID compares. Any ONNX image model works (InceptionV3, CLIP's vision
 * tower, DINOv2, the built-in toy extractor); the features are one named output, flattened per image.
 */
import { requireRuntime } from '../../src/runtime/runtime.ts';
import { featureStats } from '../../src/metrics/stats.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';
import { IMAGE_NORMALIZATION_NAMES, imageInputName, modelFileRef, outputName, runImageModel, type ImageNormalization } from './modelFiles.ts';

export const metricsFeatures = defineNode({
  type: 'metrics/features',
  needsRuntime: true,
  version: 1,
  title: 'Image features (FID statistics)',
  category: 'metrics',
  description:
    'Runs an image model (ONNX) over the images and summarises one of its outputs as mean and covariance (float64, ' +
    'covariance divided by N − 1 as numpy.cov): the statistics metrics/fid compares. `file` is a path inside the connected ' +
    'package (builtin:toy-shapes-clip has feature_extractor/model.onnx) or, with no package, a path or URL of the .onnx file. ' +
    'Images are resized to the model\'s fixed input size, if it has one, and normalised as chosen.',
  inputs: {
    images: { type: 'IMAGE' },
    package: { type: 'MODEL_PACKAGE', optional: true, description: 'The package holding the model file (model/load).' },
  },
  outputs: {
    stats: { type: 'FEATURE_STATS' },
    features: { type: 'TENSOR', description: 'The features [N, D], float32.' },
  },
  params: {
    file: { kind: 'string', default: 'feature_extractor/model.onnx', label: 'Model file' },
    output: { kind: 'string', default: '', label: 'Output', description: 'The model output holding the features (empty: the first output).' },
    input: { kind: 'string', default: '', label: 'Input', description: 'The image input (empty: the first input).' },
    normalize: { kind: 'enum', options: IMAGE_NORMALIZATION_NAMES, default: 'none', description: 'Per-channel normalisation of the [0,1] pixels the model expects.' },
    batch_size: { kind: 'int', default: 32, min: 1, max: 4096, description: 'Images per model call.' },
  },
  async run(ctx, inputs, params) {
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const ref = await modelFileRef(runtime, ctx.nodeId, inputs.package, params.file);
    const session = await runtime.session(ref, { nodeId: ctx.nodeId, progress: ctx.progress });
    const input = imageInputName(session, ctx.nodeId, params.input);
    const output = outputName(session, ctx.nodeId, params.output);
    const { rows, dim } = await runImageModel(session, ctx.nodeId, inputs.images, {
      input, output, normalize: params.normalize as ImageNormalization, batchSize: params.batch_size, signal: ctx.signal,
    });
    const count = inputs.images.shape[0];
    if (count < 2) throw new Error(`node "${ctx.nodeId}": feature statistics need at least 2 images, got ${count}`);
    const stats = featureStats(rows, count, dim, `${ref.key}:${output}`);
    return { stats, features: Tensor.float32([count, dim], rows) };
  },
});
