/**
 * Tuning with a framework training step as the template. Two things differ from plain tuning, both as
 * the reference SDK does them:
 *
 * - the template's job is the tuning job: `sagemaker_job_name` (and anything derived from it, such as
 *   TensorFlow's default `model_dir`) names the tuning job, not a training job of its own;
 * - the static hyperparameters carry `sagemaker_estimator_class_name` and `sagemaker_estimator_module`,
 *   which let the Python SDK's `HyperparameterTuner.attach` rebuild the estimator of a job started
 *   here (cheap interoperability, and the requests match what the SDK sends).
 *
 * Categorical values are JSON-encoded by the request builder because the template's encoding is
 * `json` (framework containers decode them like every other hyperparameter).
 *
 * @since 0.1.0
 */
import { stamped, TUNING_JOB_NAME_LIMIT } from '../spec/names.js'
import { tuning, type TrainingStep, type TuningStep } from '../spec/step.js'
import { isJoin, join, type Join } from '../spec/val.js'
import { trainingJobNameOf, type FrameworkName, type HyperParameters } from './script-mode.js'

type Body<S> = Omit<S, '_tag' | 'name'>

/** The Python SDK estimator class of each framework preset. */
export const ESTIMATOR_CLASSES: { readonly [K in FrameworkName]: { readonly className: string; readonly module: string } } = {
  pytorch: { className: 'PyTorch', module: 'sagemaker.pytorch.estimator' },
  tensorflow: { className: 'TensorFlow', module: 'sagemaker.tensorflow.estimator' },
  mxnet: { className: 'MXNet', module: 'sagemaker.mxnet.estimator' },
  chainer: { className: 'Chainer', module: 'sagemaker.chainer.estimator' },
  sklearn: { className: 'SKLearn', module: 'sagemaker.sklearn.estimator' },
  xgboost: { className: 'XGBoost', module: 'sagemaker.xgboost.estimator' },
  huggingface: { className: 'HuggingFace', module: 'sagemaker.huggingface.estimator' },
  rl: { className: 'RLEstimator', module: 'sagemaker.rl.estimator' },
}

export const CLASS_HP = { className: 'sagemaker_estimator_class_name', module: 'sagemaker_estimator_module' } as const

export type FrameworkTuningOptions = Omit<Body<TuningStep>, 'training'>

const same = (a: Join, b: Join): boolean => JSON.stringify(a) === JSON.stringify(b)

/** Replace every occurrence of one job name (also inside joins) with another. */
const renameJob = (v: unknown, from: Join, to: Join): unknown => {
  if (isJoin(v)) return same(v, from) ? to : join(v.on, v.values.map((x) => renameJob(x, from, to)) as Join['values'])
  return v
}

/**
 * A tuning step whose training template is a framework preset's step.
 *
 * @example
 * const tune = frameworkTuning('tune', pytorch('train', {...}), {
 *   objective: { metricName: 'loss', type: 'Minimize' },
 *   ranges: { optimizer: { _tag: 'Categorical', values: ['sgd', 'adam'] } },
 * })
 * @category constructors
 */
export const frameworkTuning = (name: string, train: TrainingStep, options: FrameworkTuningOptions) => {
  const { _tag, name: trainName, after, description, presetErrors, ...template } = train
  const from = trainingJobNameOf(trainName, train.baseJobName)
  const to = stamped(options.baseJobName ?? name, TUNING_JOB_NAME_LIMIT)
  const known = template.framework !== undefined ? (ESTIMATOR_CLASSES as Partial<Record<string, { className: string; module: string }>>)[template.framework.name] : undefined
  const hyperParameters: HyperParameters = {
    ...Object.fromEntries(Object.entries(template.hyperParameters ?? {}).map(([k, v]) => [k, renameJob(v, from, to)])),
    ...(known !== undefined ? { [CLASS_HP.className]: known.className, [CLASS_HP.module]: known.module } : {}),
  } as HyperParameters
  const errors = [...(presetErrors ?? []).map((e) => ({ ...e, path: `training.${e.path}` })), ...(options.presetErrors ?? [])]
  const deps = [...(after ?? []), ...(options.after ?? [])]
  return tuning(name, {
    ...options,
    training: { ...template, hyperParameters: hyperParameters as TrainingStep['hyperParameters'] },
    ...(deps.length > 0 ? { after: deps } : {}),
    ...(options.description === undefined && description !== undefined ? { description } : {}),
    ...(errors.length > 0 ? { presetErrors: errors } : {}),
  })
}
