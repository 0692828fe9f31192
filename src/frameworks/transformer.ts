/**
 * Batch transforms from a training, tuning or model step, as the reference SDK's `transformer()`
 * methods make them: a training or tuning step first gets its serving model (`modelFromTraining`,
 * `modelFromTuning`, on the transform's instance type unless the model options say otherwise); the
 * transform job is named after its source (`Estimator.transformer` passes the estimator's
 * `base_job_name`, `Model.transformer` the model's name) and carries the source's tags unless others
 * are given (`tags or self.tags`).
 *
 * @since 0.1.0
 */
import { outputsOf, transform, type ModelStep, type Step, type TrainingStep, type TransformStep, type TuningStep } from '../spec/step.js'
import { modelFromTraining, modelFromTuning, type FromTrainingOptions } from './from-training.js'
import { presetError, type PresetError } from './script-mode.js'

type Body<S> = Omit<S, '_tag' | 'name'>

/** Every transform field but the model, which comes from the source. */
export interface TransformerOptions extends Omit<Body<TransformStep>, 'model'> {
  /** The transform step's name. @default `<source>-transform` */
  readonly name?: string
  /** Training and tuning sources: the serving model's options. @default the transform's instance type */
  readonly model?: FromTrainingOptions
}

export interface Transformer {
  /** The model the transform runs: the source itself, or the one built from it. */
  readonly model: ModelStep
  readonly transform: TransformStep
  /** The steps to add to the program beside the source: the model (unless it was the source) and the transform. */
  readonly steps: ReadonlyArray<Step>
}

/** What the transform takes from its source: a base job name and tags. */
interface Inherited {
  readonly baseJobName: NonNullable<Body<TransformStep>['baseJobName']>
  readonly tags: Body<TransformStep>['tags']
}

const inheritedFrom = (source: TrainingStep | TuningStep | ModelStep): Inherited => {
  switch (source._tag) {
    case 'Training':
      return { baseJobName: source.baseJobName ?? source.name, tags: source.tags }
    case 'Tuning':
      return { baseJobName: source.baseJobName ?? source.name, tags: source.tags ?? source.training.tags }
    case 'Model':
      return { baseJobName: source.baseName ?? source.name, tags: source.tags }
  }
}

/** The reference SDK drops a network-isolated model's transform environment; saying so is kinder. */
const isolationErrors = (m: ModelStep, o: TransformerOptions): ReadonlyArray<PresetError> =>
  m.enableNetworkIsolation === true && o.environment !== undefined && Object.keys(o.environment).length > 0
    ? [presetError('environment', "no environment: the model runs network-isolated (set variables in the model's container environment instead)", o.environment)]
    : []

const modelOf = (source: TrainingStep | TuningStep | ModelStep, o: TransformerOptions): ModelStep => {
  if (source._tag === 'Model') return source
  const options: FromTrainingOptions = { instanceType: o.resources.instanceType, ...o.model }
  return source._tag === 'Training' ? modelFromTraining(source, options) : modelFromTuning(source, options)
}

/**
 * A batch transform of a training step's model, a tuning step's best model, or a model step.
 *
 * @example
 * const { steps } = transformer(train, {
 *   resources: { instanceType: 'ml.m5.xlarge' },
 *   input: { uri: 's3://bucket/to-score/', contentType: 'text/csv', splitType: 'Line' },
 *   output: { s3OutputPath: 's3://bucket/scores/' },
 * })
 * export default program(train, ...steps)
 * @category constructors
 */
export const transformer = (source: TrainingStep | TuningStep | ModelStep, options: TransformerOptions): Transformer => {
  const { name, model: _model, ...body } = options
  const m = modelOf(source, options)
  const from = inheritedFrom(source)
  const errors = [...isolationErrors(m, options), ...(body.presetErrors ?? [])]
  const t = transform(name ?? `${source.name}-transform`, {
    ...body,
    model: outputsOf(m).name,
    ...(body.baseJobName === undefined ? { baseJobName: from.baseJobName } : {}),
    ...(body.tags === undefined && from.tags !== undefined ? { tags: from.tags } : {}),
    ...(errors.length > 0 ? { presetErrors: errors } : {}),
  })
  return { model: m, transform: t, steps: source._tag === 'Model' ? [t] : [m, t] }
}
