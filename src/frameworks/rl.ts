/**
 * Reinforcement learning: Coach or Ray toolkits on TensorFlow or MXNet (`sagemaker-rl-*` images).
 * The toolkit version picks the image; the job also gets `sagemaker_s3_output` (its output path) and
 * `sagemaker_estimator`, and the toolkit's reward metrics when no metric definitions are given.
 *
 * Serving (through `modelFromTraining`): Coach on TensorFlow becomes a TensorFlow Serving model, Coach
 * on MXNet an MXNet model running the training script; Ray has no serving model (its policy is in the
 * job's checkpoints), as in the reference SDK.
 *
 * @since 0.1.0
 */
import type { RlBaseFramework, RlToolkit } from './images.js'
import { frameworkTraining, type FrameworkTrainingOptions } from './script-mode.js'
import type { TrainingStep } from '../spec/step.js'

export interface RLOptions extends FrameworkTrainingOptions {
  readonly toolkit: RlToolkit
  /** e.g. `0.11`, `1.0.0` (Coach) or `0.6.5` (Ray); see `supported('rl', { toolkit })`. */
  readonly toolkitVersion: string
  /** The toolkit's backend. */
  readonly framework: RlBaseFramework
}

export const RL_HP = { s3Output: 'sagemaker_s3_output', estimator: 'sagemaker_estimator' } as const
export const RL_ESTIMATOR = 'RLEstimator'

const FLOAT = '[-+]?[0-9]*[.]?[0-9]+([eE][-+]?[0-9]+)?'

/** What each toolkit logs, as metric definitions (the reference SDK's defaults). */
export const RL_METRICS: { readonly [K in RlToolkit]: NonNullable<TrainingStep['metricDefinitions']> } = {
  coach: [
    { name: 'reward-training', regex: '^Training>.*Total reward=(.*?),' },
    { name: 'reward-testing', regex: '^Testing>.*Total reward=(.*?),' },
  ],
  ray: [
    { name: 'episode_reward_mean', regex: `episode_reward_mean: (${FLOAT})` },
    { name: 'episode_reward_max', regex: `episode_reward_max: (${FLOAT})` },
  ],
}

/**
 * Toolkit version → the base framework version its models are served with (the reference SDK's
 * table; short versions are keys of their own there, and map as it does).
 */
export const RL_SERVING_VERSIONS: { readonly [K in RlToolkit]: Readonly<Record<string, Readonly<Partial<Record<RlBaseFramework, string>>>>> } = {
  coach: {
    '0.10.1': { tensorflow: '1.11' },
    '0.10': { tensorflow: '1.11' },
    '0.11.0': { tensorflow: '1.11', mxnet: '1.3' },
    '0.11.1': { tensorflow: '1.12' },
    '0.11': { tensorflow: '1.12', mxnet: '1.3' },
    '1.0.0': { tensorflow: '1.12' },
  },
  ray: {
    '0.5.3': { tensorflow: '1.11' },
    '0.5': { tensorflow: '1.11' },
    '0.6.5': { tensorflow: '1.12' },
    '0.6': { tensorflow: '1.12' },
    '0.8.2': { tensorflow: '2.1' },
    '0.8.5': { tensorflow: '2.1' },
  },
}

/** An RL training job. @category constructors */
export const rl = (name: string, options: RLOptions) => {
  const { toolkit, toolkitVersion, framework, ...rest } = options
  return frameworkTraining(name, rest, {
    info: { name: 'rl', version: toolkitVersion, toolkit, baseFramework: framework },
    image: { framework: 'rl', toolkit, toolkitVersion, baseFramework: framework },
    paths: { version: 'toolkitVersion', baseFramework: 'framework' },
    hyperParameters: (job) => ({ [RL_HP.s3Output]: job.outputPath, [RL_HP.estimator]: RL_ESTIMATOR }),
    // A toolkit outside the table is reported by the image lookup; it simply gets no default metrics.
    metricDefinitions: (RL_METRICS as Partial<Record<string, TrainingStep['metricDefinitions']>>)[toolkit],
  })
}
