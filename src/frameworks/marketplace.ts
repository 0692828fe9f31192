/**
 * AWS Marketplace (and account-owned) algorithms and model packages, as the reference SDK's
 * `AlgorithmEstimator` and `ModelPackage`:
 *
 * - `algorithmEstimator` trains with `AlgorithmSpecification.AlgorithmName`. Given the algorithm's
 *   `DescribeAlgorithm` output (the AWS interpreter can fetch it; a test or a program can embed it),
 *   it checks what the SDK checked in its constructor and `fit` — hyperparameters (Integer and
 *   Continuous ranges, Categorical values, FreeText, required ones, unknown ones; defaults are filled
 *   in), channel names (unknown ones, missing required ones), input modes, the instance type, and
 *   distributed training — plus each channel's content and compression types. Network isolation is on
 *   when the algorithm is a marketplace product (it has a `ProductId`).
 * - `modelPackageFromTraining` makes a `ModelPackage` step (`CreateModelPackage`) from such a training
 *   step's algorithm and model data; `modelFromPackage` makes a `Model` step whose container is a model
 *   package (`CreateModel` with `ModelPackageName`).
 *
 * Every problem is a `presetErrors` entry of the step (`validate` reports it at `steps.<name>.<path>`).
 *
 * @since 0.1.0
 */
import { JOB_KEYS, pickJob, type JobOptions, type TrainingBody } from './job-options.js'
import type { CreateTrainingJobCommandInput, DescribeAlgorithmOutput, DescribeModelPackageOutput, HyperParameterSpecification } from '@aws-sdk/client-sagemaker'
import { model, modelPackage, outputsOf, training, type TrainingStep } from '../spec/step.js'
import type { Channel } from '../spec/training.js'
import type { Expr, Val } from '../spec/val.js'
import { isExpr, ref, type RefVal } from '../spec/val.js'
import { pyFloat, pythonStr } from './algorithms/descriptors.js'
import type { PresetError } from './algorithms/preset.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

type HpValue = NonNullable<TrainingBody['hyperParameters']>[string]

/** The parts of `DescribeAlgorithm`'s output that are read; a whole output fits. */
export type AlgorithmDescription = Pick<DescribeAlgorithmOutput, 'AlgorithmName' | 'AlgorithmArn' | 'TrainingSpecification' | 'ProductId'>

export interface AlgorithmEstimatorOptions extends JobOptions, Partial<Pick<TrainingBody, 'metricDefinitions'>> {
  /** The algorithm's name (in this account) or ARN (a subscribed marketplace algorithm). */
  readonly algorithmName: Val<string>
  readonly role: Val<string>
  readonly instanceType: Val<string>
  /** @default 1 */
  readonly instanceCount?: Val<number>
  readonly volumeSizeInGb?: Val<number>
  readonly volumeKmsKeyId?: Val<string>
  readonly output: TrainingBody['output']
  readonly hyperParameters?: Readonly<Record<string, HpValue | boolean>>
  readonly channels?: Readonly<Record<string, Channel>>
  /** `DescribeAlgorithm`'s output: when given, everything above is checked against it. */
  readonly algorithmDescription?: AlgorithmDescription
}

// Network isolation is decided below (marketplace products always run isolated).
const PASS = [...JOB_KEYS.filter((k) => k !== 'enableNetworkIsolation'), 'metricDefinitions'] as const

// -------------------------------------------------------------------------------------
// hyperparameters
// -------------------------------------------------------------------------------------

const quotedList = (xs: ReadonlyArray<string>) => xs.map((x) => JSON.stringify(x)).join(', ')

const INTEGER = /^[+-]?\d+$/

/** A literal as a number, when it is one (numbers, and strings that spell one). */
const numeric = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined

/** What a hyperparameter specification accepts, in words. */
export const describeHyperParameter = (h: HyperParameterSpecification): string => {
  const r = h.Range
  switch (h.Type) {
    case 'Integer': {
      const s = r?.IntegerParameterRangeSpecification
      return s === undefined ? 'an integer' : `an integer from ${s.MinValue} to ${s.MaxValue}`
    }
    case 'Continuous': {
      const s = r?.ContinuousParameterRangeSpecification
      return s === undefined ? 'a number' : `a number from ${s.MinValue} to ${s.MaxValue}`
    }
    case 'Categorical': {
      const s = r?.CategoricalParameterRangeSpecification
      return s === undefined ? 'a string' : `one of ${quotedList(s.Values ?? [])}`
    }
    default:
      return 'a string'
  }
}

/** Does a literal fit the specification? Bounds are inclusive, as the SDK's `is_valid`. */
const fits = (h: HyperParameterSpecification, v: HpValue | boolean): boolean => {
  const r = h.Range
  switch (h.Type) {
    case 'Integer': {
      const n = numeric(v)
      const s = r?.IntegerParameterRangeSpecification
      const ok = n !== undefined && (typeof v === 'number' ? Number.isInteger(v) : INTEGER.test(String(v).trim()))
      return ok && (s === undefined || (n >= Number(s.MinValue) && n <= Number(s.MaxValue)))
    }
    case 'Continuous': {
      const n = numeric(v)
      const s = r?.ContinuousParameterRangeSpecification
      return n !== undefined && (s === undefined || (n >= Number(s.MinValue) && n <= Number(s.MaxValue)))
    }
    case 'Categorical': {
      const s = r?.CategoricalParameterRangeSpecification
      return s === undefined || (s.Values ?? []).includes(pythonStr(v as string | number | boolean))
    }
    default:
      return true
  }
}

/** The string sent, cast with the specification's type as the SDK did (`float` prints `1.0`). */
const encodeHp = (h: HyperParameterSpecification | undefined, v: HpValue | boolean): HpValue => {
  if (isExpr(v)) return v as HpValue
  const lit = v as string | number | boolean
  if (h?.Type === 'Continuous' && typeof lit === 'number') return pyFloat(lit)
  return pythonStr(lit)
}

const hyperParameterErrors = (
  algorithm: string,
  specs: ReadonlyArray<HyperParameterSpecification>,
  given: Readonly<Record<string, HpValue | boolean>>,
): { readonly values: Readonly<Record<string, HpValue>>; readonly errors: ReadonlyArray<PresetError> } => {
  const byName = new Map(specs.filter((h) => h.Name !== undefined).map((h) => [h.Name!, h]))
  const errors: PresetError[] = []
  const values: Record<string, HpValue> = {}
  for (const [name, v] of Object.entries(given)) {
    if (v === undefined) continue
    const h = byName.get(name)
    if (h === undefined) errors.push({ path: `hyperParameters.${name}`, expected: `a hyperparameter ${algorithm} supports: ${[...byName.keys()].join(', ')}`, actual: v })
    else if (!isExpr(v) && !fits(h, v)) errors.push({ path: `hyperParameters.${name}`, expected: describeHyperParameter(h), actual: v })
    values[name] = encodeHp(h, v)
  }
  // Defaults are filled in (and so shown in the plan); a required one without a default must be given.
  for (const [name, h] of byName) {
    if (Object.prototype.hasOwnProperty.call(values, name)) continue
    if (h.DefaultValue !== undefined) values[name] = h.DefaultValue
    else if (h.IsRequired === true) errors.push({ path: `hyperParameters.${name}`, expected: `${describeHyperParameter(h)} (required by ${algorithm})`, actual: undefined })
  }
  return { values, errors }
}

// -------------------------------------------------------------------------------------
// channels, instances, input modes
// -------------------------------------------------------------------------------------

const lit = <V>(v: V | undefined): v is Exclude<V, Expr | undefined> => v !== undefined && !isExpr(v)

const channelErrors = (algorithm: string, d: AlgorithmDescription, o: AlgorithmEstimatorOptions): ReadonlyArray<PresetError> => {
  const specs = d.TrainingSpecification?.TrainingChannels ?? []
  const byName = new Map(specs.filter((c) => c.Name !== undefined).map((c) => [c.Name!, c]))
  const channels = o.channels ?? {}
  const jobMode = o.inputMode ?? 'File'
  const errors: PresetError[] = []
  for (const [name, c] of Object.entries(channels)) {
    const spec = byName.get(name)
    if (spec === undefined) {
      errors.push({ path: `channels.${name}`, expected: `a channel ${algorithm} reads: ${[...byName.keys()].join(', ')}`, actual: name })
      continue
    }
    // Each channel is read in its own mode when it has one, else in the job's.
    const mode = c.inputMode ?? jobMode
    const modes = spec.SupportedInputModes ?? []
    if (lit(mode) && !modes.includes(mode as never))
      errors.push({
        path: c.inputMode !== undefined ? `channels.${name}.inputMode` : 'inputMode',
        expected: `an input mode channel "${name}" of ${algorithm} supports: ${modes.join(', ')}`,
        actual: mode,
      })
    const types = spec.SupportedContentTypes ?? []
    if (lit(c.contentType) && types.length > 0 && !types.includes(c.contentType))
      errors.push({ path: `channels.${name}.contentType`, expected: `a content type channel "${name}" of ${algorithm} supports: ${types.join(', ')}`, actual: c.contentType })
    const compressions = spec.SupportedCompressionTypes
    if (lit(c.compression) && compressions !== undefined && !compressions.includes(c.compression as never))
      errors.push({ path: `channels.${name}.compression`, expected: `a compression type channel "${name}" of ${algorithm} supports: ${compressions.join(', ')}`, actual: c.compression })
  }
  for (const [name, spec] of byName)
    if (spec.IsRequired === true && !Object.prototype.hasOwnProperty.call(channels, name))
      errors.push({ path: `channels.${name}`, expected: `a "${name}" channel (required by ${algorithm})`, actual: undefined })
  return errors
}

const resourceErrors = (algorithm: string, d: AlgorithmDescription, o: AlgorithmEstimatorOptions): ReadonlyArray<PresetError> => {
  const spec = d.TrainingSpecification
  const errors: PresetError[] = []
  const types = spec?.SupportedTrainingInstanceTypes ?? []
  if (lit(o.instanceType) && !types.includes(o.instanceType as never))
    errors.push({ path: 'resources.instanceType', expected: `an instance type ${algorithm} supports: ${types.join(', ')}`, actual: o.instanceType })
  if (lit(o.instanceCount) && o.instanceCount > 1 && spec?.SupportsDistributedTraining === false)
    errors.push({ path: 'resources.instanceCount', expected: `1: ${algorithm} does not support distributed training`, actual: o.instanceCount })
  return errors
}

const nameErrors = (d: AlgorithmDescription, algorithmName: Val<string>): ReadonlyArray<PresetError> =>
  lit(algorithmName) && algorithmName !== d.AlgorithmName && algorithmName !== d.AlgorithmArn
    ? [{ path: 'algorithmName', expected: `the described algorithm's name or ARN (${[d.AlgorithmName, d.AlgorithmArn].filter((x) => x !== undefined).join(' or ')})`, actual: algorithmName }]
    : []

/**
 * A `CreateTrainingJob` request checked against its algorithm's `DescribeAlgorithm` output, with the
 * rules `algorithmEstimator` applies to a description it is given: what the AWS run target checks
 * before it sends a job that names an algorithm. Each problem's path is the preset option at fault.
 *
 * @category destructors
 */
export const requestAgainstAlgorithm = (d: AlgorithmDescription, r: CreateTrainingJobCommandInput): ReadonlyArray<PresetError> => {
  const name = r.AlgorithmSpecification?.AlgorithmName ?? ''
  const label = d.AlgorithmName ?? name
  const o = {
    algorithmName: name,
    role: r.RoleArn ?? '',
    instanceType: r.ResourceConfig?.InstanceType ?? '',
    instanceCount: r.ResourceConfig?.InstanceCount ?? 1,
    output: { s3OutputPath: r.OutputDataConfig?.S3OutputPath ?? '' },
    ...(r.AlgorithmSpecification?.TrainingInputMode === undefined ? {} : { inputMode: r.AlgorithmSpecification.TrainingInputMode }),
    channels: Object.fromEntries(
      (r.InputDataConfig ?? []).map((c) => [
        c.ChannelName ?? '',
        {
          uri: c.DataSource?.S3DataSource?.S3Uri ?? '',
          ...(c.InputMode === undefined ? {} : { inputMode: c.InputMode }),
          ...(c.ContentType === undefined ? {} : { contentType: c.ContentType }),
          ...(c.CompressionType === undefined ? {} : { compression: c.CompressionType }),
        },
      ]),
    ),
  } as AlgorithmEstimatorOptions
  return [
    ...nameErrors(d, name),
    ...hyperParameterErrors(label, d.TrainingSpecification?.SupportedHyperParameters ?? [], r.HyperParameters ?? {}).errors,
    ...channelErrors(label, d, o),
    ...resourceErrors(label, d, o),
  ]
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/**
 * Train with an algorithm resource (`AlgorithmSpecification.AlgorithmName`), checked against its
 * description when one is given. Hyperparameters are plain strings as the reference SDK sent them
 * (`True`/`False` for booleans, `1.0` for a whole number given to a Continuous one).
 *
 * @category constructors
 */
export const algorithmEstimator = (name: string, o: AlgorithmEstimatorOptions) => {
  const d = o.algorithmDescription
  const label = d?.AlgorithmName ?? (lit(o.algorithmName) ? o.algorithmName : 'the algorithm')
  const given = o.hyperParameters ?? {}
  const hp =
    d === undefined
      ? { values: Object.fromEntries(Object.entries(given).map(([k, v]) => [k, encodeHp(undefined, v)])), errors: [] }
      : hyperParameterErrors(label, d.TrainingSpecification?.SupportedHyperParameters ?? [], given)
  const marketplace = d?.ProductId !== undefined
  const errors: PresetError[] = [
    ...(d === undefined ? [] : nameErrors(d, o.algorithmName)),
    ...hp.errors,
    ...(d === undefined ? [] : channelErrors(label, d, o)),
    ...(d === undefined ? [] : resourceErrors(label, d, o)),
    ...(marketplace && o.enableNetworkIsolation === false
      ? [{ path: 'enableNetworkIsolation', expected: `true: ${label} is an AWS Marketplace product (${d?.ProductId}), which SageMaker runs network-isolated`, actual: false }]
      : []),
  ]
  const rest = pickJob(o, PASS)
  const isolation = marketplace ? true : o.enableNetworkIsolation
  return training(name, {
    algorithmName: o.algorithmName,
    role: o.role,
    resources: {
      instanceType: o.instanceType,
      instanceCount: o.instanceCount ?? 1,
      ...(o.volumeSizeInGb !== undefined ? { volumeSizeInGb: o.volumeSizeInGb } : {}),
      ...(o.volumeKmsKeyId !== undefined ? { volumeKmsKeyId: o.volumeKmsKeyId } : {}),
    },
    output: o.output,
    ...(o.channels !== undefined && Object.keys(o.channels).length > 0 ? { channels: o.channels } : {}),
    ...(Object.keys(hp.values).length > 0 ? { hyperParameters: hp.values, hyperParameterEncoding: 'plain' as const } : {}),
    ...rest,
    ...(isolation !== undefined ? { enableNetworkIsolation: isolation } : {}),
    ...(errors.length > 0 ? { presetErrors: errors } : {}),
  })
}

export interface ModelPackageFromTrainingOptions {
  /** A training step that trained with an algorithm resource (`algorithmEstimator`). */
  readonly training: TrainingStep
  /** @default 'Model Package created from training with <algorithm>' (the reference SDK's words) */
  readonly description?: string
  readonly baseName?: string
  readonly tags?: Readonly<Record<string, Val<string>>>
}

/**
 * `CreateModelPackage` from a training step's algorithm and the model data it produced (the reference
 * SDK's `ModelPackage(algorithm_arn=…, model_data=…)`).
 *
 * @category constructors
 */
export const modelPackageFromTraining = (name: string, o: ModelPackageFromTrainingOptions) => {
  const algorithm = o.training.algorithmName
  const description = o.description ?? (lit(algorithm) ? `Model Package created from training with ${algorithm}` : undefined)
  return modelPackage(name, {
    // Without one the step still decodes (so its own error is the one reported): the training job's
    // AlgorithmName, which an image-based job does not have.
    algorithmName: algorithm ?? ref(o.training.name, ['AlgorithmSpecification', 'AlgorithmName']),
    modelDataUrl: outputsOf(o.training).modelArtifacts,
    ...(description !== undefined ? { description } : {}),
    ...(o.baseName !== undefined ? { baseName: o.baseName } : {}),
    ...(o.tags !== undefined ? { tags: o.tags } : {}),
    ...(algorithm === undefined
      ? { presetErrors: [{ path: 'algorithmName', expected: 'a training step that trains with an algorithm (algorithmEstimator), not an image', actual: o.training.image }] }
      : {}),
  })
}

type ModelBody = Parameters<typeof model>[1]

export interface ModelFromPackageOptions extends Partial<Pick<ModelBody, 'role' | 'vpc' | 'baseName' | 'tags' | 'overrides' | 'after' | 'description'>> {
  /** The model package: `pkg.outputs.arn`, or `existing('arn:…')` for a subscribed marketplace package. */
  readonly modelPackageName: RefVal<'ModelPackage'>
  readonly environment?: Readonly<Record<string, Val<string>>>
  /** @default true when `modelPackageDescription` shows a marketplace product, else off */
  readonly enableNetworkIsolation?: Val<boolean>
  /** `DescribeModelPackage`'s output, when known: a marketplace package (a container with a `ProductId`) runs isolated. */
  readonly modelPackageDescription?: Pick<DescribeModelPackageOutput, 'InferenceSpecification'>
}

const MODEL_PASS = ['role', 'vpc', 'baseName', 'tags', 'overrides', 'after', 'description'] as const

/**
 * A model served from a model package (`CreateModel` with `PrimaryContainer.ModelPackageName`), as
 * the reference SDK's `ModelPackage.deploy` creates it.
 *
 * @category constructors
 */
export const modelFromPackage = (name: string, o: ModelFromPackageOptions) => {
  const marketplace = (o.modelPackageDescription?.InferenceSpecification?.Containers ?? []).some((c) => c.ProductId !== undefined)
  const isolation = o.enableNetworkIsolation ?? (marketplace ? true : undefined)
  const rest: Partial<ModelBody> = Object.fromEntries(MODEL_PASS.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]))
  return model(name, {
    container: {
      modelPackageName: o.modelPackageName,
      ...(o.environment !== undefined && Object.keys(o.environment).length > 0 ? { environment: o.environment } : {}),
    },
    ...rest,
    ...(isolation !== undefined ? { enableNetworkIsolation: isolation } : {}),
    ...(marketplace && o.enableNetworkIsolation === false
      ? { presetErrors: [{ path: 'enableNetworkIsolation', expected: 'true: a marketplace model package runs network-isolated', actual: false }] }
      : {}),
  })
}
