/**
 * scikit-learn: script-mode training and serving (`sagemaker-scikit-learn`). scikit-learn trains on
 * one instance and has CPU images only; both are preset errors here, as the reference SDK refused them
 * before sending anything.
 *
 * @since 0.1.0
 */
import { isGpu } from './distribution.js'
import { frameworkTraining, isLiteral, presetError, scriptModel, type FrameworkTrainingOptions, type PresetError, type ScriptModelOptions } from './script-mode.js'

export interface SKLearnOptions extends FrameworkTrainingOptions {
  /** e.g. `1.2-1`; see `supported('sklearn')`. */
  readonly frameworkVersion: string
}

const sklearnRules = (o: SKLearnOptions): ReadonlyArray<PresetError> => [
  ...(o.instanceCount !== undefined && isLiteral(o.instanceCount) && o.instanceCount !== 1
    ? [presetError('instanceCount', '1: scikit-learn trains on a single instance', o.instanceCount)]
    : []),
  ...(o.instanceCount !== undefined && !isLiteral(o.instanceCount)
    ? [presetError('instanceCount', '1: scikit-learn trains on a single instance (not a run-time value)', o.instanceCount)]
    : []),
  ...(isGpu(o.instanceType, o.processor) ? [presetError('instanceType', 'a CPU instance type: scikit-learn has no GPU images', o.instanceType)] : []),
]

/** A scikit-learn training job. @category constructors */
export const sklearn = (name: string, options: SKLearnOptions) => {
  const { frameworkVersion, ...rest } = options
  return frameworkTraining(name, rest, {
    info: { name: 'sklearn', version: frameworkVersion },
    image: { framework: 'sklearn' },
    paths: { version: 'frameworkVersion' },
    errors: sklearnRules(options),
  })
}

export type SKLearnModelOptions = ScriptModelOptions

/** A scikit-learn model served with the user's inference script. @category constructors */
export const sklearnModel = scriptModel('sklearn')
