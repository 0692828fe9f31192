/**
 * PyTorch: script-mode training (`pytorch-training` images) and serving (`pytorch-inference`).
 *
 * @example
 * const train = pytorch('train', {
 *   entryPoint: 'train.py', sourceDir: 'src', codeLocation: 's3://bucket/code',
 *   frameworkVersion: '2.2', region: 'us-west-2', role, instanceType: 'ml.g5.xlarge',
 *   output: { s3OutputPath: 's3://bucket/models' }, channels: { train: { uri: 's3://bucket/train' } },
 * })
 *
 * @since 0.1.0
 */
import { distributionErrors, distributionHyperParameters, type Distribution } from './distribution.js'
import { frameworkTraining, scriptModel, type FrameworkTrainingOptions, type ScriptModelOptions } from './script-mode.js'

export interface PyTorchOptions extends FrameworkTrainingOptions {
  /** e.g. `2.2` or `2.2.0`; see `supported('pytorch')`. */
  readonly frameworkVersion: string
  /** `mpi`, `torchDistributed` (2.x) or `smdistributed` data parallel. */
  readonly distribution?: Distribution
}

/** A PyTorch training job. @category constructors */
export const pytorch = (name: string, options: PyTorchOptions) => {
  const { frameworkVersion, distribution, ...rest } = options
  return frameworkTraining(name, rest, {
    info: { name: 'pytorch', version: frameworkVersion },
    image: { framework: 'pytorch' },
    paths: { version: 'frameworkVersion' },
    hyperParameters: (job) => distributionHyperParameters(distribution, job),
    errors: distributionErrors('pytorch', frameworkVersion, distribution, options.instanceType),
  })
}

export type PyTorchModelOptions = ScriptModelOptions

/** A PyTorch model served with the user's inference script. @category constructors */
export const pytorchModel = scriptModel('pytorch')
