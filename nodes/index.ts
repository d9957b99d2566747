/**
 * Every node type LatentLoom ships, listed explicitly. The registry is built from this list and
 * passed to the engine, the validator and the editor; nothing reads a global registry.
 */
import { createRegistry, type NodeRegistry } from '../src/graph/registry.ts';
import type { NodeDefinition } from '../src/graph/nodeSpec.ts';
import { mathAdd } from './math/add.ts';
import { mathMultiply } from './math/multiply.ts';
import { mathIntToFloat } from './math/intToFloat.ts';
import { mathFloatToInt } from './math/floatToInt.ts';
import { constInt } from './const/int.ts';
import { constFloat } from './const/float.ts';
import { constString } from './const/string.ts';
import { constSeed } from './const/seed.ts';
import { flowRepeatInput } from './flow/repeatInput.ts';
import { flowRepeatOutput } from './flow/repeatOutput.ts';
import { textPrompt } from './text/prompt.ts';
import { imagePreview } from './image/preview.ts';
import { imageSave } from './image/save.ts';
import { imageLoad } from './image/load.ts';
import { imageResize } from './image/resize.ts';
import { latentPreview } from './latent/preview.ts';
import { latentUpscale } from './latent/upscale.ts';
import { imageUpscaleModel } from './image/upscale-model.ts';
import { modelLoadUpscaler } from './model/load-upscaler.ts';
import { textTokenize } from './text/tokenize.ts';
import { textEncode } from './text/encode.ts';
import { noiseGaussian } from './noise/gaussian.ts';
import { latentEmpty } from './latent/empty.ts';
import { latentScale } from './latent/scale.ts';
import { latentBlend } from './latent/blend.ts';
import { latentBatch } from './latent/batch.ts';
import { latentRepeatBatch } from './latent/repeatBatch.ts';
import { tokenizerClip } from './tokenizer/clip.ts';
import { imageBlend } from './image/blend.ts';
import { imageInvert } from './image/invert.ts';
import { imageCrop } from './image/crop.ts';
import { modelLoad } from './model/load.ts';
import { onnxModel } from './onnx/model.ts';
import { vaeLoad } from './vae/load.ts';
import { vaeEncode } from './vae/encode.ts';
import { vaeDecode } from './vae/decode.ts';
import { diffusionDenoise } from './diffusion/denoise.ts';
import { guidanceCfg } from './guidance/cfg.ts';
import { guidanceClassifier } from './guidance/classifier.ts';
import { metricsFeatures } from './metrics/features.ts';
import { metricsLoadStats } from './metrics/loadStats.ts';
import { metricsSaveStats } from './metrics/saveStats.ts';
import { metricsFid } from './metrics/fid.ts';
import { metricsClipScore } from './metrics/clipScore.ts';
import { samplingScheduler } from './sampling/scheduler.ts';
import { samplingInitState } from './sampling/initState.ts';
import { samplingTimestep } from './sampling/timestep.ts';
import { samplingScaleInput } from './sampling/scaleInput.ts';
import { samplingStep } from './sampling/step.ts';
import { samplingAddNoise } from './sampling/addNoise.ts';

export const ALL_NODES: readonly NodeDefinition[] = [
  mathAdd,
  mathMultiply,
  mathIntToFloat,
  mathFloatToInt,
  constInt,
  constFloat,
  constString,
  constSeed,
  flowRepeatInput,
  flowRepeatOutput,
  textPrompt,
  imagePreview,
  imageSave,
  imageLoad,
  imageResize,
  latentPreview,
  latentUpscale,
  imageUpscaleModel,
  modelLoadUpscaler,
  textTokenize,
  textEncode,
  noiseGaussian,
  latentEmpty,
  latentScale,
  latentBlend,
  latentBatch,
  latentRepeatBatch,
  tokenizerClip,
  imageBlend,
  imageInvert,
  imageCrop,
  modelLoad,
  onnxModel,
  vaeLoad,
  vaeEncode,
  vaeDecode,
  diffusionDenoise,
  guidanceCfg,
  guidanceClassifier,
  samplingScheduler,
  samplingInitState,
  samplingTimestep,
  samplingScaleInput,
  samplingStep,
  samplingAddNoise,
  metricsFeatures,
  metricsLoadStats,
  metricsSaveStats,
  metricsFid,
  metricsClipScore,
];

export function defaultRegistry(): NodeRegistry {
  return createRegistry(ALL_NODES);
}
