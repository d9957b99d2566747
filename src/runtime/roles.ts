/**
 * Which model input plays which role. Real exports agree on names (`sample`, `timestep`,
 * `encoder_hidden_states`, `latent_sample`…) but not always; fall back on ranks, so a model with
 * other names still maps, and every input left over becomes an extra socket named after it.
 */
import type { TensorMeta } from './types.ts';

export interface DenoiserRoles {
  sample: string;
  timestep: string;
  encoderHiddenStates?: string;
  output: string;
  /** Inputs with no role: LCM's `timestep_cond`, SDXL's `text_embeds`/`time_ids`, unCLIP's `image_embeds`… */
  extras: TensorMeta[];
}

const SAMPLE_NAMES = ['sample', 'x', 'latent_model_input', 'latents', 'noisy_latents'];
const TIMESTEP_NAMES = ['timestep', 'timesteps', 't', 'time', 'sigma'];
const CONTEXT_NAMES = ['encoder_hidden_states', 'context', 'text_embeddings', 'hidden_states', 'cond'];
const OUTPUT_NAMES = ['out_sample', 'noise_pred', 'sample', 'output'];

function pick(metas: readonly TensorMeta[], names: readonly string[], taken: Set<string>, rank?: (r: number) => boolean) {
  const byName = names.map((n) => metas.find((m) => m.name === n && !taken.has(m.name))).find(Boolean);
  if (byName) return byName;
  if (!rank) return undefined;
  return metas.find((m) => !taken.has(m.name) && m.shape !== undefined && rank(m.shape.length));
}

export function denoiserRoles(inputs: readonly TensorMeta[], outputs: readonly TensorMeta[], label: string): DenoiserRoles {
  const taken = new Set<string>();
  const sample = pick(inputs, SAMPLE_NAMES, taken, (r) => r === 4);
  if (!sample) {
    throw new Error(`${label} has no latent input (looked for ${SAMPLE_NAMES.join('/')} or a rank-4 input); inputs are: ${inputs.map((i) => i.name).join(', ')}`);
  }
  taken.add(sample.name);
  const timestep = pick(inputs, TIMESTEP_NAMES, taken, (r) => r <= 1);
  if (!timestep) {
    throw new Error(`${label} has no timestep input (looked for ${TIMESTEP_NAMES.join('/')} or a rank-0/1 input); inputs are: ${inputs.map((i) => i.name).join(', ')}`);
  }
  taken.add(timestep.name);
  const context = pick(inputs, CONTEXT_NAMES, taken, (r) => r === 3);
  if (context) taken.add(context.name);
  const output = OUTPUT_NAMES.find((n) => outputs.some((o) => o.name === n)) ?? outputs[0]?.name;
  if (!output) throw new Error(`${label} has no outputs`);
  return {
    sample: sample.name,
    timestep: timestep.name,
    encoderHiddenStates: context?.name,
    output,
    extras: inputs.filter((m) => !taken.has(m.name)),
  };
}

/** The input/output of a single-input model by preferred names, else the first. */
export function pickIo(metas: readonly TensorMeta[], preferred: string | undefined, names: readonly string[], what: string, label: string): string {
  if (preferred) {
    if (!metas.some((m) => m.name === preferred)) {
      throw new Error(`${label} has no ${what} \`${preferred}\`; ${what}s are: ${metas.map((m) => m.name).join(', ')}`);
    }
    return preferred;
  }
  const found = names.find((n) => metas.some((m) => m.name === n)) ?? metas[0]?.name;
  if (!found) throw new Error(`${label} has no ${what}s`);
  return found;
}
