/**
 * Tuning with a framework training step as the template. What differs from plain tuning (the job name
 * the template's hyperparameters carry, the estimator class metadata the Python SDK reads) is done by
 * `tuning` itself for any training step given as the template (`spec/template.ts`); this module keeps
 * the older spelling and the table of estimator classes.
 *
 * Categorical values are JSON-encoded by the request builder because the template's encoding is
 * `json` (framework containers decode them like every other hyperparameter).
 *
 * @since 0.1.0
 */
import { tuning, type TrainingStep, type TuningStep } from '../spec/step.js'
import { CLASS_HP, ESTIMATOR_CLASS_TABLE } from '../spec/template.js'
import type { FrameworkName } from './script-mode.js'

type Body<S> = Omit<S, '_tag' | 'name'>

/** The Python SDK estimator class of each framework preset. */
export const ESTIMATOR_CLASSES: { readonly [K in FrameworkName]: { readonly className: string; readonly module: string } } = ESTIMATOR_CLASS_TABLE

export { CLASS_HP }

export type FrameworkTuningOptions = Omit<Body<TuningStep>, 'training'>

/**
 * A tuning step whose training template is a framework preset's step: the same as
 * `tuning(name, { training: train, … })`, kept for programs written before `tuning` took steps.
 *
 * @example
 * const tune = frameworkTuning('tune', pytorch('train', {...}), {
 *   objective: { metricName: 'loss', type: 'Minimize' },
 *   ranges: { optimizer: { _tag: 'Categorical', values: ['sgd', 'adam'] } },
 * })
 * @category constructors
 */
export const frameworkTuning = (name: string, train: TrainingStep, options: FrameworkTuningOptions) => tuning(name, { ...options, training: train })
