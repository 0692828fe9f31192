/**
 * MXNet: script-mode training and serving (`mxnet-training` / `mxnet-inference`, and the v1-era
 * `sagemaker-mxnet` images). Distribution (parameter server, MPI) needs 1.3 or later.
 *
 * @since 0.1.0
 */
import { distributionErrors, distributionHyperParameters, type Distribution } from './distribution.js'
import { frameworkTraining, scriptModel, type FrameworkTrainingOptions, type ScriptModelOptions } from './script-mode.js'

export interface MXNetOptions extends FrameworkTrainingOptions {
  /** e.g. `1.9` or `1.9.0`; see `supported('mxnet')`. */
  readonly frameworkVersion: string
  /** `parameterServer` or `mpi`. */
  readonly distribution?: Distribution
}

/** An MXNet training job. @category constructors */
export const mxnet = (name: string, options: MXNetOptions) => {
  const { frameworkVersion, distribution, ...rest } = options
  return frameworkTraining(name, rest, {
    info: { name: 'mxnet', version: frameworkVersion },
    image: { framework: 'mxnet' },
    paths: { version: 'frameworkVersion' },
    hyperParameters: (job) => distributionHyperParameters(distribution, job),
    errors: distributionErrors('mxnet', frameworkVersion, distribution, options.instanceType),
  })
}

export type MXNetModelOptions = ScriptModelOptions

/** An MXNet model served with the user's inference script. @category constructors */
export const mxnetModel = scriptModel('mxnet')
