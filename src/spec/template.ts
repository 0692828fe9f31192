/**
 * A training step as a tuning template (`tuning('tune', { training: pytorch('train', …), … })`), as
 * the reference SDK's `HyperparameterTuner(estimator, …)` takes an estimator:
 *
 * - the step's own fields (`_tag`, `name`) go; its `after`, `description` and preset errors move to
 *   the tuning step (errors under `training.`);
 * - the template's job is the tuning job: `sagemaker_job_name` (and anything derived from it, such as
 *   TensorFlow's default `model_dir`) names the tuning job, not a training job of its own;
 * - a framework preset's static hyperparameters carry `sagemaker_estimator_class_name` and
 *   `sagemaker_estimator_module`, which let the Python SDK's `HyperparameterTuner.attach` rebuild the
 *   estimator of a job started here (and the requests match what the SDK sends).
 *
 * What cannot be tuned is an error that says what to do instead: a hyperparameter the preset sets
 * from one of its options, a setting tuning jobs do not have, an Amazon algorithm's step (whose
 * ranges `algorithmTuning` checks and encodes).
 *
 * @since 0.2.0
 */
import { ALGORITHMS, BUILT_IN_ALGORITHM_IMAGE } from './algorithms.js'
import { JOB_NAME_LIMIT, TUNING_JOB_NAME_LIMIT, stamped } from './names.js'
import type { TrainingStep, TuningStep } from './step.js'
import { isJoin, join, type Join } from './val.js'

type Body<S> = Omit<S, '_tag' | 'name'>
type PresetError = NonNullable<TuningStep['presetErrors']>[number]

/** A tuning step's body whose template may be a training step. */
export type TuningBody = Omit<Body<TuningStep>, 'training'> & { readonly training: Body<TuningStep>['training'] | TrainingStep }

/** The Python SDK estimator class of each framework preset (by `framework.name`). */
export const ESTIMATOR_CLASS_TABLE = {
  pytorch: { className: 'PyTorch', module: 'sagemaker.pytorch.estimator' },
  tensorflow: { className: 'TensorFlow', module: 'sagemaker.tensorflow.estimator' },
  mxnet: { className: 'MXNet', module: 'sagemaker.mxnet.estimator' },
  chainer: { className: 'Chainer', module: 'sagemaker.chainer.estimator' },
  sklearn: { className: 'SKLearn', module: 'sagemaker.sklearn.estimator' },
  xgboost: { className: 'XGBoost', module: 'sagemaker.xgboost.estimator' },
  huggingface: { className: 'HuggingFace', module: 'sagemaker.huggingface.estimator' },
  rl: { className: 'RLEstimator', module: 'sagemaker.rl.estimator' },
} as const

export const CLASS_HP = { className: 'sagemaker_estimator_class_name', module: 'sagemaker_estimator_module' } as const

/** The preset option behind each hyperparameter a framework preset sets itself. */
const SET_FROM: Readonly<Record<string, string>> = {
  sagemaker_program: 'entryPoint (to compare scripts, tune a hyperparameter your script reads)',
  sagemaker_submit_directory: 'entryPoint, sourceDir and dependencies',
  sagemaker_region: 'region',
  sagemaker_container_log_level: 'containerLogLevel',
  sagemaker_job_name: 'the tuning job, which names each training job itself',
  [CLASS_HP.className]: 'the preset (the Python SDK reads it to rebuild the estimator)',
  [CLASS_HP.module]: 'the preset (the Python SDK reads it to rebuild the estimator)',
}

// The algorithms whose tables `algorithmTuning` reads (the built-in XGBoost and DeepAR have none here).
const TABLED_ALGORITHMS = ALGORITHMS.filter((a) => a !== 'xgboost' && a !== 'forecasting-deepar')
const TABLED_IMAGE = new RegExp(`/(${TABLED_ALGORITHMS.join('|')}):1$`)

export const isTrainingStep = (u: unknown): u is TrainingStep =>
  typeof u === 'object' && u !== null && (u as { readonly _tag?: unknown })._tag === 'Training'

/** Tuned names a framework preset already sets, each with the option that sets it. */
const presetSetErrors = (train: TrainingStep, ranges: Readonly<Record<string, unknown>>): ReadonlyArray<PresetError> => {
  if (train.framework === undefined) return []
  return Object.keys(ranges).flatMap((name) => {
    const tfModelDir = name === 'model_dir' && train.framework?.name === 'tensorflow' && train.hyperParameters?.model_dir !== undefined
    if (!name.startsWith('sagemaker_') && !tfModelDir) return []
    const from = tfModelDir ? 'modelDir' : (SET_FROM[name] ?? "the preset's options (distribution, …)")
    return [{ path: `ranges.${name}`, expected: `a hyperparameter of your own: the ${train.framework?.name} preset sets ${name} from ${from}`, actual: name }]
  })
}

/** Settings of a training step that a tuning job's training definition has no place for. */
const unsupportedErrors = (train: TrainingStep): ReadonlyArray<PresetError> => [
  ...(train.enableSageMakerMetricsTimeSeries !== undefined
    ? [{ path: 'training.enableSageMakerMetricsTimeSeries', expected: "nothing: a tuning job's training definition has no metrics time series setting (leave it out of the template)", actual: train.enableSageMakerMetricsTimeSeries }]
    : []),
  ...(train.framework === undefined && typeof train.image === 'string' && BUILT_IN_ALGORITHM_IMAGE.test(train.image) && TABLED_IMAGE.test(train.image)
    ? [{ path: 'training', expected: "a training step of your own image or a framework preset: tune an Amazon algorithm's step with algorithmTuning(name, { training, … }), which checks the ranges against the algorithm's hyperparameters and encodes categorical values as it reads them", actual: train.name }]
    : []),
]

const same = (a: Join, b: Join): boolean => JSON.stringify(a) === JSON.stringify(b)

/** Replace every occurrence of one job name (also inside joins) with another. */
const renameJob = (v: unknown, from: Join, to: Join): unknown => {
  if (isJoin(v)) return same(v, from) ? to : join(v.on, v.values.map((x) => renameJob(x, from, to)) as Join['values'])
  return v
}

/** The tuning body for a training step given as the template. */
export const templateFromStep = (name: string, train: TrainingStep, options: Omit<Body<TuningStep>, 'training'>): Body<TuningStep> => {
  const { _tag, name: trainName, after, description, presetErrors, ...template } = train
  const from = stamped(train.baseJobName ?? trainName, JOB_NAME_LIMIT)
  const to = stamped(options.baseJobName ?? name, TUNING_JOB_NAME_LIMIT)
  const known = template.framework !== undefined ? (ESTIMATOR_CLASS_TABLE as Partial<Record<string, { className: string; module: string }>>)[template.framework.name] : undefined
  const hyperParameters = {
    ...Object.fromEntries(Object.entries(template.hyperParameters ?? {}).map(([k, v]) => [k, renameJob(v, from, to)])),
    ...(known !== undefined ? { [CLASS_HP.className]: known.className, [CLASS_HP.module]: known.module } : {}),
  } as NonNullable<TrainingStep['hyperParameters']>
  const errors = [
    ...(presetErrors ?? []).map((e) => ({ ...e, path: `training.${e.path}` })),
    ...unsupportedErrors(train),
    ...presetSetErrors(train, options.ranges),
    ...(options.presetErrors ?? []),
  ]
  const deps = [...(after ?? []), ...(options.after ?? [])]
  return {
    ...options,
    training: { ...template, ...(Object.keys(hyperParameters).length > 0 || template.hyperParameters !== undefined ? { hyperParameters } : {}) },
    ...(deps.length > 0 ? { after: deps } : {}),
    ...(options.description === undefined && description !== undefined ? { description } : {}),
    ...(errors.length > 0 ? { presetErrors: errors } : {}),
  }
}

/** A tuning body as given: a training step is turned into a template, a template is kept. */
export const tuningBody = (name: string, body: TuningBody): Body<TuningStep> => {
  const { training, ...options } = body
  return isTrainingStep(training) ? templateFromStep(name, training, options) : (body as Body<TuningStep>)
}

const isPlain = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)
const optional = (u: unknown, ok: (v: unknown) => boolean): boolean => u === undefined || ok(u)

/**
 * A JSON program's tuning steps whose `training` is a training step (`{"_tag": "Training", …}`),
 * turned into templates as `tuning()` turns them, so JSON programs say the same as TypeScript ones.
 * Only shapes the conversion reads safely are converted; anything else is left for the codec to
 * report at its path.
 */
export const templatesFromSteps = (program: unknown): unknown => {
  if (!isPlain(program) || !Array.isArray(program['steps'])) return program
  const steps = program['steps'] as ReadonlyArray<unknown>
  const convertible = (s: unknown): s is Record<string, unknown> & { readonly name: string; readonly training: TrainingStep } => {
    if (!isPlain(s) || s['_tag'] !== 'Tuning' || typeof s['name'] !== 'string' || !isTrainingStep(s['training'])) return false
    const t = s['training'] as unknown as Record<string, unknown>
    return (
      typeof t['name'] === 'string' &&
      optional(t['baseJobName'], (v) => typeof v === 'string') &&
      optional(s['baseJobName'], (v) => typeof v === 'string') &&
      optional(t['hyperParameters'], isPlain) &&
      optional(t['framework'], isPlain) &&
      isPlain(s['ranges']) &&
      [t['after'], s['after'], t['presetErrors'], s['presetErrors']].every((v) => optional(v, Array.isArray))
    )
  }
  if (!steps.some(convertible)) return program
  return {
    ...program,
    steps: steps.map((s) => {
      if (!convertible(s)) return s
      const { _tag, name, training, ...options } = s
      return { _tag, name, ...templateFromStep(name, training, options as unknown as Omit<Body<TuningStep>, 'training'>) }
    }),
  }
}
