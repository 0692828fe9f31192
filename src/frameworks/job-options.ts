/**
 * The training-job fields a preset passes through unchanged, in one list shared by the algorithm and
 * marketplace presets, so a field added to training jobs is added to every preset at once.
 *
 * @since 0.1.0
 */
import type { training } from '../spec/step.js'

export type TrainingBody = Parameters<typeof training>[1]

export const JOB_KEYS = [
  'inputMode',
  'stopping',
  'spot',
  'checkpoint',
  'baseJobName',
  'tags',
  'vpc',
  'enableNetworkIsolation',
  'enableInterContainerTrafficEncryption',
  'environment',
  'retryAttempts',
  'modelUri',
  'modelChannelName',
  'overrides',
  'after',
  'description',
] as const satisfies ReadonlyArray<keyof TrainingBody>

export type JobKey = (typeof JOB_KEYS)[number]

/** Training fields a preset passes through unchanged. */
export type JobOptions = Partial<Pick<TrainingBody, JobKey>>

/** The pass-through fields that are set, from a preset's options. */
export const pickJob = <O extends Partial<TrainingBody>>(o: O, keys: ReadonlyArray<keyof TrainingBody> = JOB_KEYS): Partial<TrainingBody> =>
  Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]))
