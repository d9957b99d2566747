/** ONNX exports of the toy text encoder and VAE, with Stable Diffusion export I/O names. */
import { Tensor } from '../tensor/tensor.ts';
import { OnnxGraphBuilder } from '../onnx/builder.ts';
import { OPSET } from './denoiserOnnx.ts';
import { HIDDEN_SIZE, MAX_LENGTH } from './vocabulary.ts';
import { KERNEL, LATENT_CHANNELS, PAD, STRIDE, type VaeWeights } from './vae.ts';

/** `input_ids` int32 [B,77] → `last_hidden_state` [B,77,D] (token embeddings) and `pooler_output` [B,D] (their sum). */
export function buildTextEncoderOnnx(embeddingTable: Float32Array): Uint8Array {
  const vocabSize = embeddingTable.length / HIDDEN_SIZE;
  const g = new OnnxGraphBuilder({ opset: OPSET, graphName: 'toy_text_encoder', docString: 'toy-shapes text encoder: attribute embeddings per token' });
  const ids = g.input('input_ids', 'int32', ['batch', MAX_LENGTH]);
  const table = g.constant(Tensor.float32([vocabSize, HIDDEN_SIZE], embeddingTable), 'token_embedding');
  const hidden = g.op('Gather', [table, ids], { axis: 0 });
  g.output(hidden, 'last_hidden_state', 'float32', ['batch', MAX_LENGTH, HIDDEN_SIZE]);
  const axes = g.constant(new Tensor('int64', [1], BigInt64Array.from([1n])), 'axis_tokens');
  g.output(g.op('ReduceSum', [hidden, axes], { keepdims: 0 }), 'pooler_output', 'float32', ['batch', HIDDEN_SIZE]);
  return g.toBytes();
}

function meanTensor(vae: VaeWeights): Tensor<'float32'> {
  return Tensor.float32([1, 3, 1, 1], vae.mean);
}

/** `sample` [B,3,H,W] in [-1,1] → `latent_sample` [B,4,H/4,W/4] (unscaled, as SD's encoder). */
export function buildVaeEncoderOnnx(vae: VaeWeights): Uint8Array {
  const g = new OnnxGraphBuilder({ opset: OPSET, graphName: 'toy_vae_encoder', docString: 'toy-shapes VAE encoder: windowed colour PCA + detail, as a strided convolution' });
  const x = g.input('sample', 'float32', ['batch', 3, 'height', 'width']);
  const centred = g.op('Sub', [x, g.constant(meanTensor(vae), 'pixel_mean')]);
  const weight = g.constant(Tensor.float32([LATENT_CHANNELS, 3, KERNEL, KERNEL], vae.encoder), 'encoder_weight');
  const z = g.op('Conv', [centred, weight], { kernel_shape: [KERNEL, KERNEL], strides: [STRIDE, STRIDE], pads: [PAD, PAD, PAD, PAD] });
  g.output(z, 'latent_sample', 'float32', ['batch', LATENT_CHANNELS, 'latent_height', 'latent_width']);
  return g.toBytes();
}

/** `latent_sample` [B,4,h,w] (unscaled) → `sample` [B,3,4h,4w], about [-1,1]. */
export function buildVaeDecoderOnnx(vae: VaeWeights): Uint8Array {
  const g = new OnnxGraphBuilder({ opset: OPSET, graphName: 'toy_vae_decoder', docString: 'toy-shapes VAE decoder: least-squares transposed convolution' });
  const z = g.input('latent_sample', 'float32', ['batch', LATENT_CHANNELS, 'latent_height', 'latent_width']);
  const weight = g.constant(Tensor.float32([LATENT_CHANNELS, 3, KERNEL, KERNEL], vae.decoder), 'decoder_weight');
  const y = g.op('ConvTranspose', [z, weight], { kernel_shape: [KERNEL, KERNEL], strides: [STRIDE, STRIDE], pads: [PAD, PAD, PAD, PAD] });
  g.output(g.op('Add', [y, g.constant(meanTensor(vae), 'pixel_mean')]), 'sample', 'float32', ['batch', 3, 'height', 'width']);
  return g.toBytes();
}

/**
 * A "VAE decoder" that is the identity, for stages whose latent is already the thing itself: the
 * decoder's pixel-space pictures, and the prior's image embedding (which vae/decode then hands on
 * as an IMAGE; the package's scaling_factor keeps the values inside vae/decode's [-1,1]).
 */
export function buildIdentityDecoderOnnx(channels: number, purpose: string): Uint8Array {
  const g = new OnnxGraphBuilder({ opset: OPSET, graphName: 'toy_identity_decoder', docString: `toy-shapes: identity decoder (${purpose})` });
  const z = g.input('latent_sample', 'float32', ['batch', channels, 'height', 'width']);
  g.output(g.op('Identity', [z]), 'sample', 'float32', ['batch', channels, 'height', 'width']);
  return g.toBytes();
}
