/**
 * The script-mode core shared by every framework preset: it turns "run this entry point on that
 * framework" into a plain `Training` or `Model` step — the image for the instance's processor and
 * region, the code archive (`code({...})`, packed and content-addressed at run time), and the
 * `sagemaker_*` hyperparameters or `SAGEMAKER_*` environment the framework containers read.
 *
 * Presets are total: whatever they cannot honour (an unsupported version, a GPU for scikit-learn, an
 * entry point outside the source directory…) goes into the step's `presetErrors`, each at the path of
 * the preset option the user wrote, and `validate` reports them beside every other error. A step
 * whose image could not be chosen has no `image` at all, so it can never be planned by accident.
 *
 * Pure: no I/O, no clock.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { ContainerDefinition } from '../spec/model.js'
import { JOB_NAME_LIMIT, stamped } from '../spec/names.js'
import { model, training, type ModelStep, type TrainingStep } from '../spec/step.js'
import type { FrameworkInfo } from '../spec/training.js'
import { code, isExpr, repack, type Code, type Join, type Val } from '../spec/val.js'

/** Where framework containers find the code of a repacked model (the reference SDK's value). */
export const MODEL_CODE_DIR = '/opt/ml/model/code'
import { describeImageError, frameworkImage, processorOf, type Framework, type ImageError, type ImageRequest, type Processor } from './images.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A problem a preset found; `path` is the preset option at fault (validate prefixes `steps.<name>.`). */
export type PresetError = NonNullable<TrainingStep['presetErrors']>[number]

/** The framework presets, by the name their training steps record in `framework.name`. */
export const FRAMEWORK_NAMES = ['pytorch', 'tensorflow', 'mxnet', 'chainer', 'sklearn', 'xgboost', 'huggingface', 'rl'] as const
export type FrameworkName = (typeof FRAMEWORK_NAMES)[number]

/**
 * A hyperparameter value. Wider than the step field's declared type, which leaves out joins and code
 * archives although its codec (and the JSON encoder) accept them as strings.
 */
export type HpValue = NonNullable<TrainingStep['hyperParameters']>[string] | Val<string>
export type HyperParameters = Readonly<Record<string, HpValue>>
export type Environment = NonNullable<ContainerDefinition['environment']>

type Body<S> = Omit<S, '_tag' | 'name'>

/** The user's code: packed into `sourcedir.tar.gz` (contents of `sourceDir` at the root, dependencies beside them). */
export interface CodeOptions {
  /** The script to run: a relative path (to `sourceDir` when there is one) without `..` segments. */
  readonly entryPoint: string
  readonly sourceDir?: string
  /** Directories packed beside the source directory's contents. */
  readonly dependencies?: ReadonlyArray<string>
  /** Where code archives go, e.g. `s3://bucket/code`: each lands at `<codeLocation>/<sha256>/sourcedir.tar.gz`. */
  readonly codeLocation: string
}

export interface RuntimeOptions {
  /** Picks the image registry and becomes `sagemaker_region` / `SAGEMAKER_REGION`. */
  readonly region: string
  /** Needed only where the framework version offers more than one (e.g. `py2`/`py3` on v1-era images). */
  readonly pyVersion?: string
  /** Python logging level of the container toolkit. @default 20 (INFO) */
  readonly containerLogLevel?: number
}

type Resources = TrainingStep['resources']

export interface InstanceOptions {
  readonly instanceType: Resources['instanceType']
  /** @default 1 */
  readonly instanceCount?: Resources['instanceCount']
  readonly volumeSizeInGb?: Resources['volumeSizeInGb']
  readonly volumeKmsKeyId?: Resources['volumeKmsKeyId']
  readonly keepAlivePeriodInSeconds?: Resources['keepAlivePeriodInSeconds']
  /**
   * The image's processor when `instanceType` is only known at run time (a param): the image is chosen
   * when the program is written. Ignored for a literal instance type, whose family decides.
   */
  readonly processor?: Processor
}

/** Every other training field passes through unchanged (channels, output, stopping, spot, vpc, tags, …). */
export type TrainingPassthrough = Omit<
  Body<TrainingStep>,
  'image' | 'algorithmName' | 'resources' | 'hyperParameters' | 'hyperParameterEncoding' | 'framework' | 'presetErrors'
>

/** What every framework training preset takes. */
export type FrameworkTrainingOptions = TrainingPassthrough &
  CodeOptions &
  RuntimeOptions &
  InstanceOptions & {
    /** The user's hyperparameters; JSON-encoded like every framework hyperparameter. */
    readonly hyperParameters?: HyperParameters
  }

/** Every other model field passes through unchanged (vpc, network isolation, tags, …). */
export type ModelPassthrough = Omit<Body<ModelStep>, 'container' | 'containers' | 'presetErrors'>

export interface ServingOptions extends ModelPassthrough, RuntimeOptions {
  /** The model artifacts: usually `train.outputs.modelArtifacts`. */
  readonly modelData?: ContainerDefinition['modelDataUrl']
  /** The instance type the model will be served on: it picks the CPU or GPU image. */
  readonly instanceType: Val<string>
  /** The image's processor when `instanceType` is only known at run time. */
  readonly processor?: Processor
  /** The user's environment; the preset's own `SAGEMAKER_*` variables may not be set here. */
  readonly env?: Environment
}

// -------------------------------------------------------------------------------------
// the contract with framework containers
// -------------------------------------------------------------------------------------

/** Hyperparameter names of the script-mode contract (sagemaker-training-toolkit). */
export const HP = {
  program: 'sagemaker_program',
  submitDirectory: 'sagemaker_submit_directory',
  region: 'sagemaker_region',
  jobName: 'sagemaker_job_name',
  containerLogLevel: 'sagemaker_container_log_level',
} as const

/** Environment names of the serving contract (sagemaker-inference-toolkit); the HP names upper-cased. */
export const ENV = {
  program: 'SAGEMAKER_PROGRAM',
  submitDirectory: 'SAGEMAKER_SUBMIT_DIRECTORY',
  region: 'SAGEMAKER_REGION',
  containerLogLevel: 'SAGEMAKER_CONTAINER_LOG_LEVEL',
  modelServerWorkers: 'SAGEMAKER_MODEL_SERVER_WORKERS',
} as const

/** Python's `logging.INFO`, the reference SDK's default `container_log_level`. */
export const DEFAULT_CONTAINER_LOG_LEVEL = 20

// -------------------------------------------------------------------------------------
// checks
// -------------------------------------------------------------------------------------

export const presetError = (path: string, expected: string, actual?: unknown): PresetError =>
  actual === undefined ? { path, expected } : { path, expected, actual }

/**
 * Presets do no I/O, so they cannot look for the file; they can make sure the entry point stays
 * inside the archive: relative, without `..`, local.
 */
export const entryPointErrors = (entryPoint: string, sourceDir: string | undefined): ReadonlyArray<PresetError> => {
  const expected =
    sourceDir === undefined ? 'a relative path to the script without ".." segments' : 'a path relative to sourceDir without ".." segments'
  if (typeof entryPoint !== 'string' || entryPoint.trim() === '') return [presetError('entryPoint', expected, entryPoint)]
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(entryPoint)) return [presetError('entryPoint', `${expected} (a local file, not a URI)`, entryPoint)]
  if (entryPoint.startsWith('/') || entryPoint.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(entryPoint))
    return [presetError('entryPoint', `${expected} (not an absolute path)`, entryPoint)]
  if (entryPoint.split(/[\\/]/).includes('..')) return [presetError('entryPoint', expected, entryPoint)]
  return []
}

const S3_PREFIX = /^s3:\/\/[^/]+(\/.*)?$/

/**
 * Everything the code options can get wrong that a preset can see. A step whose code is wrong carries
 * no archive at all (the codec would otherwise report the same mistake again, less clearly, inside
 * `sagemaker_submit_directory`).
 */
export const codeErrors = (c: CodeOptions): ReadonlyArray<PresetError> => [
  ...entryPointErrors(c.entryPoint, c.sourceDir),
  ...(typeof c.codeLocation === 'string' && S3_PREFIX.test(c.codeLocation)
    ? []
    : [presetError('codeLocation', 'an S3 prefix for code archives (s3://bucket/prefix)', c.codeLocation)]),
  ...(c.sourceDir === undefined || (typeof c.sourceDir === 'string' && c.sourceDir !== '') ? [] : [presetError('sourceDir', 'a local directory path', c.sourceDir)]),
  ...(c.dependencies ?? []).flatMap((d, i) => (typeof d === 'string' && d !== '' ? [] : [presetError(`dependencies.${i}`, 'a local directory path', d)])),
]

/**
 * `sagemaker_program`: the entry point as the container finds it inside the unpacked archive — the
 * path under `sourceDir`, or the file's own name when the archive holds just that file.
 */
export const programName = (entryPoint: string, sourceDir: string | undefined): string => {
  const clean = entryPoint.replace(/^(\.\/)+/, '')
  return sourceDir === undefined ? (clean.split(/[\\/]/).pop() ?? clean) : clean
}

/** Split the code options off a preset's options. */
export const splitCode = <O extends CodeOptions>(o: O): { readonly code: CodeOptions; readonly rest: Omit<O, keyof CodeOptions> } => {
  const { entryPoint, sourceDir, dependencies, codeLocation, ...rest } = o
  return {
    code: { entryPoint, codeLocation, ...(sourceDir !== undefined ? { sourceDir } : {}), ...(dependencies !== undefined ? { dependencies } : {}) },
    rest,
  }
}

/**
 * Serving containers that can run without a script (TensorFlow Serving, Hugging Face) take the code
 * options all-or-nothing: an entry point needs a code location, and the rest need an entry point.
 */
// Destructured options may hold `undefined` for an absent part (a consumer's exactOptionalPropertyTypes).
export const optionalCode = (o: { readonly [K in keyof CodeOptions]?: CodeOptions[K] | undefined }): { readonly code?: CodeOptions; readonly errors: ReadonlyArray<PresetError> } => {
  const wanted = o.entryPoint !== undefined || o.sourceDir !== undefined || o.dependencies !== undefined || o.codeLocation !== undefined
  if (!wanted) return { errors: [] }
  const errors = [
    ...(o.entryPoint === undefined ? [presetError('entryPoint', 'an entry point: sourceDir, dependencies and codeLocation come with one')] : []),
    ...(o.codeLocation === undefined ? [presetError('codeLocation', 'an S3 prefix for the code archive (s3://bucket/prefix) beside entryPoint')] : []),
  ]
  return o.entryPoint !== undefined && o.codeLocation !== undefined
    ? {
        code: splitCode({
          entryPoint: o.entryPoint,
          codeLocation: o.codeLocation,
          ...(o.sourceDir !== undefined ? { sourceDir: o.sourceDir } : {}),
          ...(o.dependencies !== undefined ? { dependencies: o.dependencies } : {}),
        }).code,
        errors,
      }
    : { errors }
}

export const codeOf = (o: CodeOptions): Code =>
  code({
    entryPoint: o.entryPoint,
    ...(o.sourceDir !== undefined ? { sourceDir: o.sourceDir } : {}),
    ...(o.dependencies !== undefined ? { dependencies: o.dependencies } : {}),
    s3Prefix: o.codeLocation,
  })

/** Keep the first problem reported at each path: a specific rule beats the generic image message. */
export const firstPerPath = (errors: ReadonlyArray<PresetError>): ReadonlyArray<PresetError> => {
  const seen = new Set<string>()
  return errors.filter((e) => (seen.has(e.path) ? false : (seen.add(e.path), true)))
}

/** Names that are the preset's own: a user value there would be silently replaced. */
export const reservedErrors = (given: Readonly<Record<string, unknown>> | undefined, reserved: ReadonlyArray<string>, at: string): ReadonlyArray<PresetError> =>
  Object.entries(given ?? {})
    .filter(([k]) => reserved.includes(k))
    .map(([k, v]) => presetError(`${at}.${k}`, `a name the preset leaves to you (it sets ${k} itself)`, v))

// -------------------------------------------------------------------------------------
// images
// -------------------------------------------------------------------------------------

/** Preset option names for the parts of an image request, so errors point at what the user wrote. */
export interface ImagePaths {
  readonly version: string
  readonly baseFramework?: string
}

const IMAGE_ERROR_PATH: { readonly [K in ImageError['_tag']]: (p: ImagePaths) => string } = {
  RegionRequired: () => 'region',
  UnsupportedRegion: () => 'region',
  UnsupportedFramework: () => 'framework',
  UnsupportedAlgorithm: () => 'framework',
  UnsupportedScope: () => 'framework',
  UnsupportedToolkit: () => 'toolkit',
  UnsupportedBaseFramework: (p) => p.baseFramework ?? 'framework',
  UnsupportedVersion: (p) => p.version,
  UnsupportedPyVersion: () => 'pyVersion',
  UnsupportedProcessor: () => 'instanceType',
  UnsupportedInstanceType: () => 'instanceType',
}

export const imagePresetError = (e: ImageError, paths: ImagePaths): PresetError => {
  const d = describeImageError(e)
  return presetError(IMAGE_ERROR_PATH[e._tag](paths), d.expected, d.actual)
}

// Any instance of the processor picks the same image; used only when the real type is a param.
const REPRESENTATIVE: { readonly [P in Processor]: string } = { cpu: 'ml.m5.xlarge', gpu: 'ml.p3.2xlarge' }

/** The processor the image is for: the literal instance type's, or the one declared for a run-time type. */
export const processorFor = (instanceType: Val<string>, processor: Processor | undefined): E.Either<PresetError, { readonly processor: Processor; readonly instanceType: string }> => {
  if (typeof instanceType === 'string') return E.right({ processor: processorOf(instanceType), instanceType })
  return processor === undefined
    ? E.left(
        presetError(
          'instanceType',
          'a literal instance type, or processor: "cpu" | "gpu" beside a run-time one (the image is chosen when the program is written)',
          instanceType,
        ),
      )
    : E.right({ processor, instanceType: REPRESENTATIVE[processor] })
}

export type ImageResult = { readonly image?: string; readonly errors: ReadonlyArray<PresetError> }

/** Resolve an image; `versions` are tried in order (serving falls back from `2.12.0` to the `2.12` alias). */
export const resolveImage = (
  req: Omit<ImageRequest, 'instanceType' | 'version'> & { readonly versions: ReadonlyArray<string> },
  instanceType: Val<string>,
  processor: Processor | undefined,
  paths: ImagePaths,
): ImageResult => {
  const device = processorFor(instanceType, processor)
  if (E.isLeft(device)) return { errors: [device.left] }
  const { versions, ...rest } = req
  let first: ImageError | undefined
  for (const version of versions.length === 0 ? [undefined] : versions) {
    const r = frameworkImage({ ...rest, ...(version === undefined ? {} : { version }), instanceType: device.right.instanceType })
    if (E.isRight(r)) return { image: r.right, errors: [] }
    first ??= r.left
    if (r.left._tag !== 'UnsupportedVersion') break
  }
  return { errors: first === undefined ? [] : [imagePresetError(first, paths)] }
}

/** `2.12.0` → `2.12`: the alias a serving image line may know a training version by. */
export const minorOf = (version: string): string => version.split('.').slice(0, 2).join('.')

// -------------------------------------------------------------------------------------
// training
// -------------------------------------------------------------------------------------

/** What a job's framework-specific hyperparameters may depend on. */
export interface JobContext {
  /** The physical job name, as the plan computes it: `<base>-<run>`. */
  readonly jobName: Join
  readonly outputPath: Val<string>
  readonly instanceType: Val<string>
}

/** What a framework module tells the core about one training job. */
export interface FrameworkTraining {
  readonly info: Pick<FrameworkInfo, 'name' | 'version'> & Partial<Pick<FrameworkInfo, 'baseFramework' | 'toolkit'>>
  readonly image: Omit<ImageRequest, 'instanceType' | 'region' | 'scope' | 'pyVersion'>
  readonly paths: ImagePaths
  /** The framework's own hyperparameters, after the script-mode ones. */
  readonly hyperParameters?: (job: JobContext) => HyperParameters
  /** Framework rules, checked before the image (their messages are the more specific ones). */
  readonly errors?: ReadonlyArray<PresetError>
  /** Used when the user gives none (RL toolkits log rewards in known formats). */
  readonly metricDefinitions?: TrainingStep['metricDefinitions']
}

/** The physical training job name, exactly as the plan will compute it. */
export const trainingJobNameOf = (name: string, baseJobName: string | undefined): Join => stamped(baseJobName ?? name, JOB_NAME_LIMIT)

/** Strip the trailing slash of a literal S3 prefix, as `os.path.join` would not double it. */
export const trimSlash = (v: Val<string>): Val<string> => (typeof v === 'string' ? v.replace(/\/+$/, '') : v)

/**
 * The shared training preset: script-mode hyperparameters, JSON encoding, image, metadata.
 * Framework modules call it with their own settings; see `pytorch`, `tensorflow`, ….
 */
export const frameworkTraining = (name: string, options: FrameworkTrainingOptions, fw: FrameworkTraining) => {
  const {
    entryPoint,
    sourceDir,
    dependencies,
    codeLocation,
    region,
    pyVersion,
    containerLogLevel,
    instanceType,
    instanceCount,
    volumeSizeInGb,
    volumeKmsKeyId,
    keepAlivePeriodInSeconds,
    processor,
    hyperParameters,
    ...rest
  } = options
  const codeOptions: CodeOptions = { entryPoint, codeLocation, ...(sourceDir !== undefined ? { sourceDir } : {}), ...(dependencies !== undefined ? { dependencies } : {}) }
  const badCode = codeErrors(codeOptions)
  const job: JobContext = { jobName: trainingJobNameOf(name, rest.baseJobName), outputPath: rest.output.s3OutputPath, instanceType }
  const script: HyperParameters = {
    ...(badCode.length === 0 ? { [HP.program]: programName(entryPoint, sourceDir), [HP.submitDirectory]: codeOf(codeOptions) } : {}),
    [HP.region]: region,
    [HP.jobName]: job.jobName,
    [HP.containerLogLevel]: containerLogLevel ?? DEFAULT_CONTAINER_LOG_LEVEL,
  }
  const extra = fw.hyperParameters?.(job) ?? {}
  const image = resolveImage({ ...fw.image, region, scope: 'training', versions: [fw.info.version], ...(pyVersion !== undefined ? { pyVersion } : {}) }, instanceType, processor, fw.paths)
  const errors = firstPerPath([
    ...badCode,
    ...(fw.errors ?? []),
    ...reservedErrors(hyperParameters, [HP.program, HP.submitDirectory, ...Object.keys(script), ...Object.keys(extra)], 'hyperParameters'),
    ...image.errors,
  ])
  const framework: FrameworkInfo = {
    ...fw.info,
    region,
    entryPoint,
    codeLocation,
    ...(pyVersion !== undefined ? { pyVersion } : {}),
    ...(sourceDir !== undefined ? { sourceDir } : {}),
    ...(dependencies !== undefined && dependencies.length > 0 ? { dependencies } : {}),
    ...(containerLogLevel !== undefined ? { containerLogLevel } : {}),
  }
  return training(name, {
    ...(image.image !== undefined ? { image: image.image } : {}),
    ...rest,
    resources: {
      instanceType,
      ...(instanceCount !== undefined ? { instanceCount } : {}),
      ...(volumeSizeInGb !== undefined ? { volumeSizeInGb } : {}),
      ...(volumeKmsKeyId !== undefined ? { volumeKmsKeyId } : {}),
      ...(keepAlivePeriodInSeconds !== undefined ? { keepAlivePeriodInSeconds } : {}),
    },
    ...(rest.metricDefinitions === undefined && fw.metricDefinitions !== undefined ? { metricDefinitions: fw.metricDefinitions } : {}),
    hyperParameters: { ...hyperParameters, ...script, ...extra } as TrainingStep['hyperParameters'],
    hyperParameterEncoding: 'json',
    ...(badCode.length === 0 ? { framework } : {}),
    ...(errors.length > 0 ? { presetErrors: errors } : {}),
  } as Body<TrainingStep>)
}

// -------------------------------------------------------------------------------------
// serving
// -------------------------------------------------------------------------------------

/** What a framework module tells the core about one serving container. */
export interface FrameworkServing {
  readonly image: Omit<ImageRequest, 'instanceType' | 'region' | 'scope' | 'pyVersion' | 'version'>
  /** Versions to try, in order (the training version, then its minor alias). */
  readonly versions: ReadonlyArray<string>
  readonly paths: ImagePaths
  /** The script contract, when the container runs user code. */
  readonly code?: CodeOptions
  /** The framework's own variables (e.g. `SAGEMAKER_TFS_NGINX_LOGLEVEL`). */
  readonly env?: Environment
  readonly modelServerWorkers?: number
  readonly errors?: ReadonlyArray<PresetError>
  /**
   * The container loads the script from the model archive (`/opt/ml/model/code`), not from
   * `SAGEMAKER_SUBMIT_DIRECTORY`: the archive is repacked with `code/` at run time.
   */
  readonly repack?: boolean
}

/** `1.13.1` ≥ `1.2`, by numeric parts. */
export const versionAtLeast = (version: string, least: string): boolean => {
  const a = version.split('.').map((x) => Number.parseInt(x, 10))
  const b = least.split('.').map((x) => Number.parseInt(x, 10))
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0
    const y = b[i] ?? 0
    if (Number.isNaN(x) || Number.isNaN(y)) return false
    if (x !== y) return x > y
  }
  return true
}

/**
 * Which serving containers read the user's script from inside the model archive, as the reference
 * SDK decides when it repacks: the multi-model-server (and TorchServe) lines of PyTorch (≥ 1.2) and
 * MXNet (≥ 1.4); scikit-learn and XGBoost only with network isolation (the container cannot download
 * the code); Chainer never. (TensorFlow Serving and Hugging Face say so in their own presets.)
 */
export const LOADS_CODE_FROM_MODEL: { readonly [K in 'pytorch' | 'mxnet' | 'chainer' | 'sklearn' | 'xgboost']: (version: string, isolated: boolean) => boolean } = {
  pytorch: (v) => versionAtLeast(v, '1.2'),
  mxnet: (v) => versionAtLeast(v, '1.4'),
  chainer: () => false,
  sklearn: (_, isolated) => isolated,
  xgboost: (_, isolated) => isolated,
}

/** `SAGEMAKER_PROGRAM`, `SAGEMAKER_SUBMIT_DIRECTORY`, `SAGEMAKER_REGION`, `SAGEMAKER_CONTAINER_LOG_LEVEL`. */
export const scriptEnvironment = (c: CodeOptions, region: string, containerLogLevel: number | undefined): Environment => ({
  [ENV.program]: programName(c.entryPoint, c.sourceDir),
  [ENV.submitDirectory]: codeOf(c),
  [ENV.region]: region,
  [ENV.containerLogLevel]: String(containerLogLevel ?? DEFAULT_CONTAINER_LOG_LEVEL),
})

/** The shared model preset: serving image, script environment, model server workers. */
export const frameworkModel = (name: string, options: ServingOptions, fw: FrameworkServing) => {
  const { modelData, instanceType, processor, env, region, pyVersion, containerLogLevel, ...rest } = options
  const badCode = fw.code === undefined ? [] : codeErrors(fw.code)
  // Repacked: the model archive carries the code, and the container finds it there.
  const repacked = fw.repack === true && fw.code !== undefined && badCode.length === 0 && modelData !== undefined
  const own: Environment = {
    ...(fw.code !== undefined && badCode.length === 0
      ? { ...scriptEnvironment(fw.code, region, containerLogLevel), ...(repacked ? { [ENV.submitDirectory]: MODEL_CODE_DIR } : {}) }
      : {}),
    ...(fw.modelServerWorkers !== undefined ? { [ENV.modelServerWorkers]: String(fw.modelServerWorkers) } : {}),
    ...fw.env,
  }
  const image = resolveImage({ ...fw.image, region, scope: 'inference', versions: fw.versions, ...(pyVersion !== undefined ? { pyVersion } : {}) }, instanceType, processor, fw.paths)
  const errors = firstPerPath([
    ...badCode,
    ...(fw.errors ?? []),
    ...workerErrors(fw.modelServerWorkers),
    ...reservedErrors(env, [...(fw.code !== undefined ? Object.values(ENV) : []), ...Object.keys(own)], 'env'),
    ...image.errors,
  ])
  const environment: Environment = { ...env, ...own }
  return model(name, {
    ...rest,
    container: {
      ...(image.image !== undefined ? { image: image.image } : {}),
      ...(modelData !== undefined ? { modelDataUrl: repacked ? repack(modelData, codeOf(fw.code!)) : modelData } : {}),
      ...(Object.keys(environment).length > 0 ? { environment } : {}),
    },
    ...(errors.length > 0 ? { presetErrors: errors } : {}),
  })
}

/** A model that runs the user's inference script in a framework's serving container. */
export interface ScriptModelOptions extends ServingOptions, CodeOptions {
  /** The framework version; a training version the serving line lacks falls back to its minor alias. */
  readonly frameworkVersion: string
  /** Worker processes of the model server. @default one per vCPU (the server's choice) */
  readonly modelServerWorkers?: number
}

/** The model preset of a framework whose serving container runs the user's script. */
export const scriptModel =
  (framework: Framework) =>
  (name: string, options: ScriptModelOptions) => {
    const { code, rest } = splitCode(options)
    const { frameworkVersion, modelServerWorkers, ...serving } = rest
    const loadsFromModel = LOADS_CODE_FROM_MODEL[framework as keyof typeof LOADS_CODE_FROM_MODEL]
    return frameworkModel(name, serving, {
      image: { framework },
      versions: [frameworkVersion, minorOf(frameworkVersion)],
      paths: { version: 'frameworkVersion' },
      code,
      repack: loadsFromModel !== undefined && loadsFromModel(frameworkVersion, serving.enableNetworkIsolation === true),
      ...(modelServerWorkers !== undefined ? { modelServerWorkers } : {}),
    })
  }

/** A literal model server worker count, checked; params are not accepted (the variable is a string). */
export const workerErrors = (n: number | undefined): ReadonlyArray<PresetError> =>
  n === undefined || (Number.isInteger(n) && n >= 1) ? [] : [presetError('modelServerWorkers', 'a whole number of at least 1', n)]

export const isLiteral = <A>(v: Val<A>): v is A => !isExpr(v)
