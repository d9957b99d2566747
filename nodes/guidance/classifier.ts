/**
 * `guidance/classifier`: classifier guidance (Dhariwal & Nichol 2021) from an ONNX noisy-image
 * classifier that outputs g = ∇_x log p(y | x_t) for class y at timestep t. With a = √ᾱ_t,
 * s = √(1 − ᾱ_t) and guidance scale k, the model's prediction moves, in its own parametrisation, by
 *
 *     epsilon:       ε' = ε − k·s·g
 *     sample (x₀):   x₀' = x₀ + k·(s²/a)·g
 *     v_prediction:  v' = v − k·(s/a)·g        (s/a = σ_t)
 *
 * — three forms of the same shift of the score, ∇ log p(x_t) + k·∇ log p(y | x_t). At k = 1 an
 * exact classifier turns the unconditional model into the class-conditional one.
 */
import { Tensor } from '../../src/tensor/tensor.ts';
import { requireRuntime } from '../../src/runtime/runtime.ts';
import { defineNode } from '../define.ts';
import { requireLatentSamples, requireSchedule } from '../sampling/values.ts';
import { modelFileRef, outputName, outputRows } from '../metrics/modelFiles.ts';

/** √(1 − ᾱ_t) and √ᾱ_t at a possibly fractional timestep (log σ interpolated, as Euler-type schedulers map σ to t). */
export function alphaTerms(alphasCumprod: ArrayLike<number>, timestep: number): { a: number; s: number } {
  const last = alphasCumprod.length - 1;
  const t = Math.min(Math.max(timestep, 0), last);
  const lo = Math.floor(t);
  const hi = Math.min(lo + 1, last);
  const logSigma = (i: number) => 0.5 * Math.log((1 - alphasCumprod[i]) / alphasCumprod[i]);
  const sigma = Math.exp((1 - (t - lo)) * logSigma(lo) + (t - lo) * logSigma(hi));
  const a = 1 / Math.sqrt(1 + sigma * sigma);
  return { a, s: sigma * a };
}

export const guidanceClassifier = defineNode({
  type: 'guidance/classifier',
  needsRuntime: true,
  version: 1,
  title: 'Classifier guidance',
  category: 'guidance',
  description:
    'Steers a prediction toward class `class_label` with a noisy-latent classifier (ONNX: inputs sample, timestep, class_labels → ' +
    'the gradient of log p(y | x_t)). For ε-prediction: ε − scale·√(1 − ᾱ_t)·∇ log p(y | x_t); x₀- and v-prediction get the ' +
    'same shift in their own terms. Connect `latent` to what the denoiser took (the scale-input output). builtin:toy-shapes ' +
    'ships classifier/model.onnx with 20 classes "<colour> <shape>", index colour·4 + shape (red circle = 0).',
  inputs: {
    prediction: { type: 'LATENT', description: "The denoiser's prediction." },
    latent: { type: 'LATENT', description: 'The sample the denoiser took (x_t).' },
    timestep: { type: 'FLOAT' },
    schedule: { type: 'SCHEDULE', description: 'For ᾱ_t and the prediction type.' },
    package: { type: 'MODEL_PACKAGE', optional: true, description: 'The package holding the classifier file.' },
    class_label: { type: 'INT', optional: true, description: 'Overrides the `class_label` param.' },
    scale: { type: 'FLOAT', optional: true, description: 'Overrides the `scale` param.' },
  },
  outputs: { prediction: { type: 'LATENT' } },
  params: {
    file: { kind: 'string', default: 'classifier/model.onnx', label: 'Classifier file' },
    class_label: { kind: 'int', default: 0, min: 0, max: 1_000_000 },
    scale: { kind: 'float', default: 3, min: 0, max: 1000, step: 0.1 },
    gradient_output: { kind: 'string', default: 'grad_log_prob', description: 'The classifier output holding ∇ log p(y | x_t).' },
    prediction_type: { kind: 'enum', options: ['auto', 'epsilon', 'sample', 'v_prediction'], default: 'auto', description: "auto: the scheduler config's prediction_type." },
  },
  async run(ctx, inputs, params) {
    const schedule = requireSchedule(inputs.schedule, ctx.nodeId);
    const prediction = requireLatentSamples(inputs.prediction, ctx.nodeId, 'prediction');
    const latent = requireLatentSamples(inputs.latent, ctx.nodeId, 'latent');
    if (prediction.shape.join(',') !== latent.shape.join(',')) {
      throw new Error(`node "${ctx.nodeId}": \`prediction\` [${prediction.shape}] and \`latent\` [${latent.shape}] differ in shape`);
    }
    const scale = inputs.scale ?? params.scale;
    if (scale === 0) return { prediction: inputs.prediction };
    const type = params.prediction_type === 'auto' ? schedule.scheduler.config.prediction_type : params.prediction_type;
    const label = inputs.class_label ?? params.class_label;
    if (!Number.isInteger(label) || label < 0) throw new Error(`node "${ctx.nodeId}": class label must be a non-negative integer, got ${label}`);

    const runtime = requireRuntime(ctx.services, ctx.nodeId);
    const session = await runtime.session(await modelFileRef(runtime, ctx.nodeId, inputs.package, params.file), { nodeId: ctx.nodeId, progress: ctx.progress });
    const names = session.inputs.map((m) => m.name);
    for (const need of ['sample', 'timestep', 'class_labels']) {
      if (!names.includes(need)) throw new Error(`node "${ctx.nodeId}": ${session.label} has no input \`${need}\`; inputs are: ${names.join(', ')}`);
    }
    const gradName = outputName(session, ctx.nodeId, params.gradient_output);
    const out = await session.run(
      {
        sample: latent,
        timestep: Tensor.float32([1], [inputs.timestep]),
        class_labels: new Tensor('int64', [1], BigInt64Array.from([BigInt(label)])),
      },
      { nodeId: ctx.nodeId, outputs: [gradName], signal: ctx.signal },
    );
    const grad = outputRows(out[gradName]);
    if (grad.length !== prediction.data.length) throw new Error(`node "${ctx.nodeId}": the classifier's gradient has ${grad.length} values, the prediction ${prediction.data.length}`);
    const { a, s } = alphaTerms(schedule.scheduler.alphasCumprod, inputs.timestep);
    let factor: number;
    if (type === 'epsilon') factor = -scale * s;
    else if (type === 'sample') factor = (scale * s * s) / a;
    else if (type === 'v_prediction') factor = (-scale * s) / a;
    else throw new Error(`node "${ctx.nodeId}": prediction type "${type}" is not supported (epsilon, sample, v_prediction)`);
    const data = new Float32Array(prediction.data.length);
    for (let i = 0; i < data.length; i++) data[i] = prediction.data[i] + factor * grad[i];
    return { prediction: { ...inputs.prediction, samples: Tensor.float32(prediction.shape, data) } };
  },
});
