/**
 * XGBoost in framework mode: the user's script runs in the `sagemaker-xgboost` container (the
 * built-in algorithm mode, with no script, is `xgboost:1` among the Amazon algorithms). From 1.2-1 on
 * one image serves CPU and GPU.
 *
 * @since 0.1.0
 */
import { frameworkTraining, scriptModel, type FrameworkTrainingOptions, type ScriptModelOptions } from './script-mode.js'

export interface XGBoostOptions extends FrameworkTrainingOptions {
  /** e.g. `1.7-1`; see `supported('xgboost')`. */
  readonly frameworkVersion: string
}

/** An XGBoost (framework mode) training job. @category constructors */
export const xgboost = (name: string, options: XGBoostOptions) => {
  const { frameworkVersion, ...rest } = options
  return frameworkTraining(name, rest, {
    info: { name: 'xgboost', version: frameworkVersion },
    image: { framework: 'xgboost' },
    paths: { version: 'frameworkVersion' },
  })
}

export type XGBoostModelOptions = ScriptModelOptions

/** An XGBoost model served with the user's inference script. @category constructors */
export const xgboostModel = scriptModel('xgboost')
