/**
 * What a scheduler offers for resident tensors (src/tensor/resident.ts): its scale and step on
 * the device the tensors live on (WebGPU), as element-wise device ops with its own coefficients.
 */
import type { AnyFloatTensor, ResidentTensor, TensorDevice } from '../../tensor/resident.ts';
import type { StepOptions } from './base.ts';

/** A step's result on a device (resident tensors); see DeviceSteps.stepOnDevice. */
export interface DeviceStepResult {
  prevSample: ResidentTensor;
  predOriginalSample?: ResidentTensor;
}

export interface DeviceSteps {
  /**
   * scaleModelInputAt on `device`, without reading or changing the state; a scheduler that does
   * not scale returns the sample itself.
   */
  scaleModelInputAtOnDevice(device: TensorDevice, sample: AnyFloatTensor, index: number): Promise<AnyFloatTensor>;
  /**
   * `step` on `device`, advancing the state as `step` does; undefined (nothing changed) where this
   * scheduler or its config has no device path, so the caller steps on the host instead.
   */
  stepOnDevice?(device: TensorDevice, modelOutput: AnyFloatTensor, timestep: number, sample: AnyFloatTensor, options?: StepOptions): Promise<DeviceStepResult> | undefined;
}
