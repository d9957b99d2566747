/**
 * The value each port type carries at run time. `defineNode` uses this map to type a node's
 * `run` inputs and outputs. Layers refine their entries as they land (tensor, diffusion, runtime).
 */
import type { PortType } from '../src/graph/portTypes.ts';
import type { Tensor } from '../src/tensor/tensor.ts';
import type { ClipTokenizer } from '../src/diffusion/clipTokenizer.ts';
import type {
  DenoiserHandle,
  ModelPackageHandle,
  OnnxModelHandle,
  TextEncoderHandle,
  UpscalerHandle,
  VaeHandle,
} from '../src/runtime/handles.ts';
import type { ScheduleValue, SchedulerStateValue } from './sampling/values.ts';
import type { FeatureStats } from '../src/metrics/stats.ts';

/** Token ids for a batch of prompts, padded to the model length. */
export interface TokensValue {
  ids: Tensor<'int32'>; // [B, L]
  attentionMask: Tensor<'int32'>; // [B, L]
  /** Per-token prompt weights for `(word:1.2)` syntax, [B, L]; absent means all 1. */
  weights?: Tensor<'float32'>;
  /** The tokenizer that made them (text encoders check it matches). */
  tokenizerId?: string;
  /** Tokens per chunk (77 for CLIP): L is a multiple of it; each chunk is encoded on its own. */
  chunkLength?: number;
  /** Ids of the empty prompt, [1, chunkLength]: the reference for weighting and for padding chunks. */
  emptyChunkIds?: Tensor<'int32'>;
}

/** Text hidden states [B, L, D] with optional pooled output and mask. */
export interface ConditioningValue {
  hiddenStates: Tensor<'float32'>;
  pooled?: Tensor<'float32'>;
  attentionMask?: Tensor<'int32'>;
  /**
   * Hidden states of the empty prompt, [1, chunkLength, D]. Appending it pads a conditioning by
   * one chunk exactly as tokenizing with an extra empty chunk would (to batch cond and uncond).
   */
  emptyChunk?: Tensor<'float32'>;
}

/** A latent batch [B, C, H, W] float32, with an optional noise mask (inpainting). */
export interface LatentValue {
  samples: Tensor<'float32'>;
  noiseMask?: Tensor<'float32'>;
}

export interface PortValueMap {
  INT: number;
  FLOAT: number;
  STRING: string;
  BOOLEAN: boolean;
  SEED: number;
  TEXT: string;
  TOKENS: TokensValue;
  CONDITIONING: ConditioningValue;
  IMAGE_EMBEDDING: Tensor<'float32'>;
  LATENT: LatentValue;
  /** [B, 3, H, W] float32 in [0, 1]. */
  IMAGE: Tensor<'float32'>;
  /** [B, 1, H, W] float32 in [0, 1]. */
  MASK: Tensor<'float32'>;
  NOISE: Tensor<'float32'>;
  /** A scheduler set up for its steps (nodes/sampling/values.ts). */
  SCHEDULE: ScheduleValue;
  /** Loop-carried scheduler state: multistep history, position, noise generator. */
  SCHEDULER_STATE: SchedulerStateValue;
  TENSOR: Tensor;
  MODEL_PACKAGE: ModelPackageHandle;
  /** A CLIP BPE tokenizer (`tokenizer/clip`, `model/load`). */
  TOKENIZER: ClipTokenizer;
  TEXT_ENCODER: TextEncoderHandle;
  DENOISER: DenoiserHandle;
  VAE: VaeHandle;
  UPSCALER: UpscalerHandle;
  PRIOR: unknown;
  ONNX_MODEL: OnnxModelHandle;
  /** Mean and covariance (float64) of image features, for FID (src/metrics/stats.ts). */
  FEATURE_STATS: FeatureStats;
  ANY: unknown;
}

// Compile-time check that every port type has a value type.
type _Exhaustive = PortValueMap[PortType];
export type PortValue<T extends PortType> = PortValueMap[T];
