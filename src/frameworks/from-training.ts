/**
 * Serving models built from any training step (or the best job of a tuning step), as the reference
 * SDK's `create_model`/`deploy` and `HyperparameterTuner.best_estimator()` build them. For a framework
 * job, the framework, versions, region and code recorded by the training preset (`framework` on the
 * step) pick the serving image and script; a bring-your-own or Amazon algorithm job serves with its
 * image (`from-image.ts`). The model data is the job's artifacts; role, VPC and tags are the job's.
 * Works as well for steps decoded from JSON, since the record is plain data.
 *
 * @since 0.1.0
 */
import { trainingOutputs, tuningOutputs } from '../spec/outputs.js'
import { model, type ModelStep, type TrainingStep, type TuningStep } from '../spec/step.js'
import type { FrameworkInfo, TrainingJob } from '../spec/training.js'
import { concat, type Val } from '../spec/val.js'
import { FRAMEWORK_ONLY, imageModel } from './from-image.js'
import { huggingfaceModel } from './huggingface.js'
import type { Processor, RlBaseFramework, RlToolkit } from './images.js'
import { mxnetModel } from './mxnet.js'
import { RL_SERVING_VERSIONS } from './rl.js'
import {
  DEFAULT_CONTAINER_LOG_LEVEL,
  FRAMEWORK_NAMES,
  presetError,
  scriptModel,
  trimSlash,
  type CodeOptions,
  type Environment,
  type FrameworkName,
  type ModelPassthrough,
  type PresetError,
} from './script-mode.js'
import { tensorflowServingModel } from './tensorflow.js'

type Body<S> = Omit<S, '_tag' | 'name'>

export interface FromTrainingOptions extends Partial<ModelPassthrough>, Partial<CodeOptions> {
  /** The instance type the model will be served on: it picks a framework's CPU or GPU image (required for framework jobs). */
  readonly instanceType?: Val<string>
  /** Bring-your-own and algorithm jobs: serve with this image instead of the training's (the SDK's `create_model(image=…)`). */
  readonly image?: Val<string>
  readonly processor?: Processor
  /** @default `<training step>-model` */
  readonly name?: string
  readonly env?: Environment
  readonly modelServerWorkers?: number
  /** Serve with another version than the training's (e.g. when the serving line lacks it). */
  readonly frameworkVersion?: string
  readonly pyVersion?: string
  /** Hugging Face: e.g. `pytorch2.1.0`. */
  readonly baseFramework?: string
  readonly containerLogLevel?: number
}

interface Serving {
  readonly name: string
  readonly info: FrameworkInfo
  readonly modelData: Val<string>
  readonly options: FromTrainingOptions
  /** Inherited from the job unless overridden: role, VPC, tags. */
  readonly inherited: Partial<ModelPassthrough>
}

const FAILED = (s: Serving, errors: ReadonlyArray<PresetError>) =>
  model(s.name, { ...s.inherited, ...passthrough(s.options), container: { modelDataUrl: s.modelData }, presetErrors: errors } as Body<ModelStep>)

// Options that are about the image or the code, not fields of the model step.
const OWN_KEYS = new Set<string>(['instanceType', 'image', 'name', 'env', ...FRAMEWORK_ONLY])
const passthrough = (o: FromTrainingOptions): Partial<ModelPassthrough> =>
  Object.fromEntries(Object.entries(o).filter(([k, v]) => !OWN_KEYS.has(k) && v !== undefined)) as Partial<ModelPassthrough>

/** The training's code, each part replaceable (as the reference SDK's `create_model` arguments are). */
const codeFor = (s: Serving): CodeOptions => {
  const o = s.options
  const entryPoint = o.entryPoint ?? s.info.entryPoint
  const sourceDir = o.sourceDir ?? s.info.sourceDir
  const dependencies = o.dependencies ?? s.info.dependencies
  return {
    entryPoint,
    codeLocation: o.codeLocation ?? s.info.codeLocation,
    ...(sourceDir !== undefined ? { sourceDir } : {}),
    ...(dependencies !== undefined ? { dependencies } : {}),
  }
}

const common = (s: Serving) => {
  const o = s.options
  const pyVersion = o.pyVersion ?? s.info.pyVersion
  return {
    ...s.inherited,
    ...passthrough(o),
    modelData: s.modelData,
    // `serve` reports a framework job without one before any of these run.
    instanceType: o.instanceType ?? '',
    region: s.info.region,
    containerLogLevel: o.containerLogLevel ?? s.info.containerLogLevel ?? DEFAULT_CONTAINER_LOG_LEVEL,
    ...(pyVersion !== undefined ? { pyVersion } : {}),
    ...(o.processor !== undefined ? { processor: o.processor } : {}),
    ...(o.env !== undefined ? { env: o.env } : {}),
  } as const
}

const script = (framework: 'pytorch' | 'mxnet' | 'chainer' | 'sklearn' | 'xgboost') => (s: Serving) =>
  scriptModel(framework)(s.name, {
    ...common(s),
    ...codeFor(s),
    frameworkVersion: s.options.frameworkVersion ?? s.info.version,
    ...(s.options.modelServerWorkers !== undefined ? { modelServerWorkers: s.options.modelServerWorkers } : {}),
  })

/** TensorFlow Serving needs no script: the training's code is used only when an entry point is given. */
const tfServing = (s: Serving, frameworkVersion: string) => {
  const o = s.options
  const code = o.entryPoint !== undefined ? codeFor(s) : {}
  return tensorflowServingModel(s.name, { ...common(s), ...code, frameworkVersion })
}

const rlServing = (s: Serving) => {
  const toolkit = s.info.toolkit as RlToolkit | undefined
  const base = s.info.baseFramework as RlBaseFramework | undefined
  if (toolkit === 'ray')
    return FAILED(s, [
      presetError('framework.toolkit', 'a toolkit with a serving model (coach): Ray policies are not served automatically; they are in the job\'s checkpoints', toolkit),
    ])
  const version = toolkit === undefined || base === undefined ? undefined : RL_SERVING_VERSIONS[toolkit]?.[s.info.version]?.[base]
  if (version === undefined)
    return FAILED(s, [presetError('framework', 'a Coach toolkit version and backend with a serving model', { toolkit, toolkitVersion: s.info.version, framework: base })])
  const frameworkVersion = s.options.frameworkVersion ?? version
  return base === 'tensorflow'
    ? tfServing(s, frameworkVersion)
    : mxnetModel(s.name, { ...common(s), ...codeFor(s), frameworkVersion, pyVersion: s.options.pyVersion ?? 'py3' })
}

/** Point a model preset's errors at this function's option names. */
const renamePaths =
  (names: Readonly<Record<string, string>>) =>
  (m: ReturnType<typeof model>): ReturnType<typeof model> => {
    if (m.presetErrors === undefined) return m
    const { _tag, name, ...body } = m
    return model(name, { ...body, presetErrors: m.presetErrors.map((e) => ({ ...e, path: names[e.path] ?? e.path })) })
  }

const SERVING: { readonly [K in FrameworkName]: (s: Serving) => ReturnType<typeof model> } = {
  pytorch: script('pytorch'),
  mxnet: script('mxnet'),
  chainer: script('chainer'),
  sklearn: script('sklearn'),
  xgboost: script('xgboost'),
  tensorflow: (s) => tfServing(s, s.options.frameworkVersion ?? s.info.version),
  huggingface: (s) => {
    const base = s.options.baseFramework ?? s.info.baseFramework ?? ''
    const m = /^(pytorch|tensorflow)(.+)$/.exec(base)
    // The Hugging Face preset's options are transformersVersion and pytorchVersion/tensorflowVersion;
    // here they are frameworkVersion and baseFramework.
    return renamePaths({ transformersVersion: 'frameworkVersion', pytorchVersion: 'baseFramework', tensorflowVersion: 'baseFramework' })(huggingfaceModel(s.name, {
      ...common(s),
      ...codeFor(s),
      transformersVersion: s.options.frameworkVersion ?? s.info.version,
      ...(m?.[1] === 'tensorflow' ? { tensorflowVersion: m[2] ?? '' } : { pytorchVersion: m?.[2] ?? '' }),
      ...(s.options.modelServerWorkers !== undefined ? { modelServerWorkers: s.options.modelServerWorkers } : {}),
    }))
  },
  rl: rlServing,
}

const serve = (name: string, job: TrainingJob, modelData: Val<string>, options: FromTrainingOptions) => {
  const inherited: Partial<ModelPassthrough> = {
    role: job.role,
    ...(job.vpc !== undefined ? { vpc: job.vpc } : {}),
    ...(job.tags !== undefined ? { tags: job.tags } : {}),
  }
  const info = job.framework
  const base: Omit<Serving, 'info'> = { name, modelData, options, inherited }
  if (info === undefined)
    return imageModel({
      name,
      job,
      modelData,
      fields: { ...inherited, ...passthrough(options) },
      given: options as Readonly<Record<string, unknown>>,
      ...(options.image !== undefined ? { image: options.image } : {}),
      ...(options.env !== undefined ? { env: options.env } : {}),
    })
  if (!(FRAMEWORK_NAMES as ReadonlyArray<string>).includes(info.name))
    return FAILED({ ...base, info }, [presetError('framework.name', `one of ${FRAMEWORK_NAMES.join(', ')}`, info.name)])
  const misplaced = [
    ...(options.instanceType === undefined ? [presetError('instanceType', 'the instance type the model will be served on: it picks the framework\'s CPU or GPU serving image', undefined)] : []),
    ...(options.image !== undefined ? [presetError('image', 'no image for a framework job: its serving image follows frameworkVersion and pyVersion (for another image, build the model with model(...))', options.image)] : []),
  ]
  if (misplaced.length > 0) return FAILED({ ...base, info }, misplaced)
  return SERVING[info.name as FrameworkName]({ ...base, info })
}

/**
 * The serving model of a training step: for a framework job the same framework, versions, region and
 * code; for a bring-your-own or Amazon algorithm job its image. The job's artifacts are the model
 * data; its role, VPC and tags are the model's unless overridden.
 *
 * @example
 * const m = modelFromTraining(train, { instanceType: 'ml.m5.large' })
 * const e = endpoint('serve', { variants: [{ model: m.outputs.name, instanceType: 'ml.m5.large' }] })
 * @category constructors
 */
export const modelFromTraining = (train: TrainingStep, options: FromTrainingOptions = {}) =>
  serve(options.name ?? `${train.name}-model`, train, trainingOutputs(train.name).modelArtifacts, options)

/** `<output path>/<best job>/output/model.tar.gz`: a literal output path is one part with its slash. */
const bestModelData = (tune: TuningStep): Val<string> => {
  const out = trimSlash(tune.training.output.s3OutputPath)
  const best = tuningOutputs(tune.name).bestTrainingJob.name
  return typeof out === 'string' ? concat(`${out}/`, best, '/output/model.tar.gz') : concat(out, '/', best, '/output/model.tar.gz')
}

/**
 * The serving model of the best job of a tuning step (the reference SDK's `best_estimator()` then
 * `create_model`): its artifacts are where SageMaker puts every job's,
 * `<output path>/<best job>/output/model.tar.gz`; everything else comes from the template as for
 * `modelFromTraining`.
 *
 * @category constructors
 */
export const modelFromTuning = (tune: TuningStep, options: FromTrainingOptions = {}) =>
  serve(
    options.name ?? `${tune.name}-model`,
    tune.training,
    bestModelData(tune),
    options,
  )
