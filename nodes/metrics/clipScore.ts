/**
 * `metrics/clip-score`: how well images match their prompts, as torchmetrics' CLIPScore:
 * 100 × cos(image embedding, text embedding), floored at 0, per image, and the mean.
 */
import { requireRuntime } from '../../src/runtime/runtime.ts';
import { clipScores } from '../../src/metrics/clipScore.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { defineNode } from '../define.ts';
import { IMAGE_NORMALIZATION_NAMES, imageInputName, modelFileRef, outputName, outputRows, runImageModel, type ImageNormalization } from './modelFiles.ts';

export const metricsClipScore = defineNode({
  type: 'metrics/clip-score',
  needsRuntime: true,
  version: 1,
  title: 'CLIP score',
  category: 'metrics',
  isOutput: true,
  description:
    'CLIP score (torchmetrics\' CLIPScore): 100 × max(cos(E_image, E_text), 0) per image and the mean. Give one prompt for ' +
    'all images or one per image (TOKENS from text/tokenize with the CLIP model\'s tokenizer; the first 77-token chunk is used). ' +
    'The image and text encoders are ONNX files in the connected package (builtin:toy-shapes-clip, or an export of ' +
    'CLIPVisionModelWithProjection / CLIPTextModelWithProjection) or paths/URLs.',
  inputs: {
    images: { type: 'IMAGE' },
    tokens: { type: 'TOKENS' },
    package: { type: 'MODEL_PACKAGE', optional: true },
  },
  outputs: {
    mean: { type: 'FLOAT' },
    scores: { type: 'TENSOR', description: 'Per-image scores [N], float32.' },
  },
  params: {
    image_encoder: { kind: 'string', default: 'image_encoder/model.onnx', label: 'Image encoder' },
    text_encoder: { kind: 'string', default: 'text_encoder/model.onnx', label: 'Text encoder' },
    image_output: { kind: 'string', default: 'image_embeds' },
    text_output: { kind: 'string', default: 'text_embeds' },
    normalize: { kind: 'enum', options: IMAGE_NORMALIZATION_NAMES, default: 'none', description: "Pixel normalisation ('clip' for OpenAI CLIP exports; the toy encoder takes [0,1])." },
  },
  async run(ctx, inputs, params) {
    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const images = inputs.images;
    const imageSession = await runtime.session(await modelFileRef(runtime, ctx.nodeId, inputs.package, params.image_encoder), { nodeId: ctx.nodeId, progress: ctx.progress });
    const textSession = await runtime.session(await modelFileRef(runtime, ctx.nodeId, inputs.package, params.text_encoder), { nodeId: ctx.nodeId, progress: ctx.progress });
    const image = await runImageModel(imageSession, ctx.nodeId, images, {
      input: imageInputName(imageSession, ctx.nodeId, ''),
      output: outputName(imageSession, ctx.nodeId, params.image_output),
      normalize: params.normalize as ImageNormalization,
      batchSize: 32,
      signal: ctx.signal,
    });

    const ids = inputs.tokens.ids;
    const [rows, length] = ids.shape;
    const chunk = Math.min(inputs.tokens.chunkLength ?? length, length);
    const firstChunk = (t: Tensor<'int32'>) => {
      const out = new Int32Array(rows * chunk);
      for (let r = 0; r < rows; r++) out.set(t.data.subarray(r * length, r * length + chunk), r * chunk);
      return new Tensor('int32', [rows, chunk], out);
    };
    const idsName = textSession.inputs.find((m) => m.name === 'input_ids')?.name ?? textSession.inputs[0].name;
    const feeds: Record<string, Tensor> = { [idsName]: firstChunk(ids) };
    if (textSession.inputs.some((m) => m.name === 'attention_mask')) feeds.attention_mask = firstChunk(inputs.tokens.attentionMask);
    const textOutput = outputName(textSession, ctx.nodeId, params.text_output);
    const text = outputRows((await textSession.run(feeds, { nodeId: ctx.nodeId, outputs: [textOutput], signal: ctx.signal }))[textOutput]);
    try {
      const { scores, mean } = clipScores(image.rows, images.shape[0], text, rows);
      return { mean, scores: Tensor.float32([scores.length], scores) };
    } catch (error) {
      throw new Error(`node "${ctx.nodeId}": ${(error as Error).message}`);
    }
  },
});
