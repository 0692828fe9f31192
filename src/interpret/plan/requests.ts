/**
 * One request builder per SageMaker API call, shared by every interpreter: the dry-run printout, the
 * Airflow config and the AWS call are the same object rendered three ways. Builders are pure; absent
 * optional fields are omitted (never `undefined`), and key order is fixed, so output is byte-stable.
 *
 * @since 0.1.0
 */
import { DEFAULTS } from '../../spec/defaults.js'
import { deepMerge } from '../../spec/merge.js'
import { variantName } from '../../spec/endpoint.js'
import type {
  Channel as SdkChannel,
  CreateEndpointConfigCommandInput,
  CreateEndpointCommandInput,
  CreateHyperParameterTuningJobCommandInput,
  CreateModelCommandInput,
  CreateModelPackageCommandInput,
  CreateTrainingJobCommandInput,
  CreateTransformJobCommandInput,
  HyperParameterTrainingJobDefinition,
  UpdateEndpointCommandInput,
} from '@aws-sdk/client-sagemaker'
import type { Channel, TrainingJob } from '../../spec/training.js'
import type { StepOf } from '../../spec/step.js'
import type { ContainerDefinition } from '../../spec/model.js'
import type { Existing, Expr, Val } from '../../spec/val.js'
import { concat, isExisting, isExpr } from '../../spec/val.js'
import { encodeHyperParameters, type EncodeContext } from './hyperparameters.js'
import { JOB_NAME_LIMIT, TUNING_JOB_NAME_LIMIT, fitBase, stamped } from './names.js'
import type { Symbolic } from './symbolic.js'
import type { DescribeOperation } from './operations.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type Request =
  | { readonly _tag: 'CreateTrainingJob'; readonly input: Symbolic<CreateTrainingJobCommandInput> }
  | { readonly _tag: 'CreateHyperParameterTuningJob'; readonly input: Symbolic<CreateHyperParameterTuningJobCommandInput> }
  | { readonly _tag: 'CreateModel'; readonly input: Symbolic<CreateModelCommandInput> }
  | { readonly _tag: 'CreateEndpointConfig'; readonly input: Symbolic<CreateEndpointConfigCommandInput> }
  | {
      readonly _tag: 'CreateEndpoint'
      readonly input: Symbolic<CreateEndpointCommandInput>
      /** Sent instead when the endpoint exists and the step allows updating it. */
      readonly orUpdate?: Symbolic<UpdateEndpointCommandInput>
    }
  | { readonly _tag: 'CreateTransformJob'; readonly input: Symbolic<CreateTransformJobCommandInput> }
  | { readonly _tag: 'CreateModelPackage'; readonly input: Symbolic<CreateModelPackageCommandInput> }

export type RequestTag = Request['_tag']

/** A request of one kind. */
export type RequestOf<K extends RequestTag> = Extract<Request, { readonly _tag: K }>

/** The field of each Create request that names what it makes (its Describe call takes the same field). */
export const NAME_FIELDS = {
  CreateTrainingJob: 'TrainingJobName',
  CreateHyperParameterTuningJob: 'HyperParameterTuningJobName',
  CreateModel: 'ModelName',
  CreateEndpointConfig: 'EndpointConfigName',
  CreateEndpoint: 'EndpointName',
  CreateTransformJob: 'TransformJobName',
  CreateModelPackage: 'ModelPackageName',
} as const satisfies { readonly [K in RequestTag]: keyof RequestOf<K>['input'] & string }

/** How to find what each Create request made, by name: adopting it instead of creating it twice. */
export const DESCRIBE_OF = {
  CreateTrainingJob: 'DescribeTrainingJob',
  CreateHyperParameterTuningJob: 'DescribeHyperParameterTuningJob',
  CreateModel: 'DescribeModel',
  CreateEndpointConfig: 'DescribeEndpointConfig',
  CreateEndpoint: 'DescribeEndpoint',
  CreateTransformJob: 'DescribeTransformJob',
  CreateModelPackage: 'DescribeModelPackage',
} as const satisfies { readonly [K in RequestTag]: DescribeOperation }

// The documented defaults live in spec (validate's rules read them too).
export { DEFAULTS }

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

/** A field naming another resource: `existing(name)` is sent as the name itself (it adds no dependency). */
const named = <V extends string | Expr>(v: V | Existing): V | string => (isExisting(v) ? v.name : v)

/** `{ k: v }` when v is present, `{}` otherwise: absent means omitted. */
const opt = <K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } => (v === undefined ? {} : ({ [k]: v } as { [P in K]: V }))

// The builders below that run once per step fill a fresh object field by field instead of spreading
// `opt(…)` pieces: a plan of 10,000 steps spent most of its time allocating those pieces. Key order
// is the order of the assignments, which is the request's printed order.
type Mutable<T> = { -readonly [K in keyof T]: T[K] }
/** `o[k] = v` when `v` is present (absent means omitted). */
const put = <T, K extends keyof T>(o: T, k: K, v: T[K] | undefined): void => {
  if (v !== undefined) o[k] = v
}
/** Flags are sent only when on (or decided at run time), as the reference SDK does. */
const putFlag = <T, K extends keyof T>(o: T, k: K, v: Val<boolean> | undefined): void => {
  if (v === true || isExpr(v)) o[k] = v as T[K]
}

const nonEmpty = <A>(xs: ReadonlyArray<A> | undefined): ReadonlyArray<A> | undefined => (xs === undefined || xs.length === 0 ? undefined : xs)

const tagList = (tags: Readonly<Record<string, Val<string>>> | undefined) =>
  nonEmpty(Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value })))

const envMap = <V>(env: Readonly<Record<string, V>> | undefined) => (env === undefined || Object.keys(env).length === 0 ? undefined : env)

const vpcConfig = (vpc: { readonly subnets?: ReadonlyArray<Val<string>>; readonly securityGroupIds?: ReadonlyArray<Val<string>> } | undefined) =>
  vpc?.subnets !== undefined && vpc.securityGroupIds !== undefined ? { SecurityGroupIds: vpc.securityGroupIds, Subnets: vpc.subnets } : undefined

export { deepMerge }

// -------------------------------------------------------------------------------------
// training
// -------------------------------------------------------------------------------------

const isFileUri = (u: Val<string>): boolean => typeof u === 'string' && u.startsWith('file://')

export const channel = (name: string, c: Channel): Symbolic<SdkChannel> => {
  const s3: Mutable<Symbolic<NonNullable<NonNullable<SdkChannel['DataSource']>['S3DataSource']>>> = {
    S3DataType: c.s3DataType ?? DEFAULTS.s3DataType,
    S3Uri: c.uri,
    S3DataDistributionType: c.distribution ?? DEFAULTS.distribution,
  }
  put(s3, 'AttributeNames', nonEmpty(c.attributeNames))
  const out: Mutable<Symbolic<SdkChannel>> = {
    ChannelName: name,
    // file:// is a local directory, for local runs (the reference SDK's local mode reads FileDataSource
    // too). SageMaker itself has no such source: the Airflow exporter refuses it, naming the field.
    DataSource: isFileUri(c.uri)
      ? ({ FileDataSource: { FileDataDistributionType: c.distribution ?? DEFAULTS.distribution, FileUri: c.uri } } as never)
      : { S3DataSource: s3 },
  }
  put(out, 'ContentType', c.contentType)
  put(out, 'CompressionType', c.compression)
  put(out, 'RecordWrapperType', c.recordWrapper)
  put(out, 'InputMode', c.inputMode)
  put(out, 'ShuffleConfig', c.shuffleSeed === undefined ? undefined : { Seed: c.shuffleSeed })
  return out
}

/** The model channel of incremental training: File mode, the SageMaker model content type. */
const modelChannel = (job: TrainingJob): Symbolic<SdkChannel> | undefined =>
  job.modelUri === undefined
    ? undefined
    : channel(job.modelChannelName ?? DEFAULTS.modelChannelName, {
        uri: job.modelUri,
        contentType: DEFAULTS.modelChannelContentType,
        inputMode: 'File',
      })

export const inputDataConfig = (job: TrainingJob): ReadonlyArray<Symbolic<SdkChannel>> | undefined => {
  const out: Array<Symbolic<SdkChannel>> = []
  if (job.channels !== undefined) for (const n of Object.keys(job.channels)) out.push(channel(n, job.channels[n]!))
  const model = modelChannel(job)
  if (model !== undefined) out.push(model)
  return nonEmpty(out)
}

// A tuning job's HyperParameterAlgorithmSpecification has no EnableSageMakerMetricsTimeSeries member.
const algorithmSpecification = (job: TrainingJob, metricDefinitions = job.metricDefinitions, forTuning = false) => {
  const out: Mutable<Symbolic<CreateTrainingJobCommandInput['AlgorithmSpecification'] & object>> = {} as never
  put(out, 'TrainingImage', job.image)
  put(out, 'AlgorithmName', job.algorithmName)
  out.TrainingInputMode = job.inputMode ?? DEFAULTS.inputMode
  put(out, 'MetricDefinitions', nonEmpty(metricDefinitions?.map((m) => ({ Name: m.name, Regex: m.regex }))))
  if (!forTuning) putFlag(out, 'EnableSageMakerMetricsTimeSeries', job.enableSageMakerMetricsTimeSeries)
  return out
}

/** The parts of a training job shared by CreateTrainingJob and a tuning job's TrainingJobDefinition. */
type JobBody = Pick<
  Mutable<Symbolic<CreateTrainingJobCommandInput>>,
  | 'RoleArn'
  | 'InputDataConfig'
  | 'OutputDataConfig'
  | 'ResourceConfig'
  | 'StoppingCondition'
  | 'VpcConfig'
  | 'EnableNetworkIsolation'
  | 'EnableInterContainerTrafficEncryption'
  | 'EnableManagedSpotTraining'
  | 'CheckpointConfig'
  | 'Environment'
  | 'RetryStrategy'
> &
  Required<Pick<Mutable<Symbolic<CreateTrainingJobCommandInput>>, 'OutputDataConfig' | 'ResourceConfig' | 'StoppingCondition'>>

/** The parts of a training job shared by CreateTrainingJob and a tuning job's TrainingJobDefinition, written into `out`. */
const jobBody = <O extends object = {}>(job: TrainingJob, out?: O): O & JobBody => {
  const o = (out ?? {}) as JobBody
  o.RoleArn = job.role
  put(o, 'InputDataConfig', inputDataConfig(job))
  const output: Mutable<Symbolic<NonNullable<CreateTrainingJobCommandInput['OutputDataConfig']>>> = { S3OutputPath: job.output.s3OutputPath }
  put(output, 'KmsKeyId', job.output.kmsKeyId)
  o.OutputDataConfig = output
  const resources: Mutable<Symbolic<NonNullable<CreateTrainingJobCommandInput['ResourceConfig']>>> = {
    InstanceType: job.resources.instanceType,
    InstanceCount: job.resources.instanceCount ?? DEFAULTS.instanceCount,
    VolumeSizeInGB: job.resources.volumeSizeInGb ?? DEFAULTS.volumeSizeInGb,
  }
  put(resources, 'VolumeKmsKeyId', job.resources.volumeKmsKeyId)
  put(resources, 'KeepAlivePeriodInSeconds', job.resources.keepAlivePeriodInSeconds)
  o.ResourceConfig = resources
  const stopping: Mutable<Symbolic<NonNullable<CreateTrainingJobCommandInput['StoppingCondition']>>> = {
    MaxRuntimeInSeconds: job.stopping?.maxRuntimeInSeconds ?? DEFAULTS.maxRuntimeInSeconds,
  }
  put(stopping, 'MaxWaitTimeInSeconds', job.spot?.maxWaitTimeInSeconds)
  o.StoppingCondition = stopping
  put(o, 'VpcConfig', vpcConfig(job.vpc))
  putFlag(o, 'EnableNetworkIsolation', job.enableNetworkIsolation)
  putFlag(o, 'EnableInterContainerTrafficEncryption', job.enableInterContainerTrafficEncryption)
  if (job.spot !== undefined) o.EnableManagedSpotTraining = true
  put(o, 'CheckpointConfig', job.checkpoint === undefined ? undefined : { S3Uri: job.checkpoint.s3Uri, ...opt('LocalPath', job.checkpoint.localPath) })
  put(o, 'Environment', envMap(job.environment))
  put(o, 'RetryStrategy', job.retryAttempts === undefined ? undefined : { MaximumRetryAttempts: job.retryAttempts })
  return o as O & JobBody
}

export const trainingJobName = (s: StepOf<'Training'>) => stamped(s.baseJobName ?? s.name, JOB_NAME_LIMIT)

export const createTrainingJob = (s: StepOf<'Training'>, ctx: EncodeContext): Symbolic<CreateTrainingJobCommandInput> => {
  const o: Mutable<Symbolic<CreateTrainingJobCommandInput>> = jobBody(s, { TrainingJobName: trainingJobName(s), AlgorithmSpecification: algorithmSpecification(s) })
  put(o, 'HyperParameters', encodeHyperParameters(s.hyperParameters, s.hyperParameterEncoding ?? DEFAULTS.hyperParameterEncoding, ctx))
  put(o, 'Tags', tagList(s.tags))
  return deepMerge(o, s.overrides)
}

// -------------------------------------------------------------------------------------
// tuning
// -------------------------------------------------------------------------------------

// Range bounds are strings in the API: a param or ref is printed by a join.
const rangeValue = (v: Val<number>): Val<string> => (isExpr(v) ? concat(v as never) : String(v))

export const tuningJobName = (s: StepOf<'Tuning'>) => stamped(s.baseJobName ?? s.name, TUNING_JOB_NAME_LIMIT)

export const createHyperParameterTuningJob = (s: StepOf<'Tuning'>, ctx: EncodeContext): Symbolic<CreateHyperParameterTuningJobCommandInput> => {
  const encoding = s.training.hyperParameterEncoding ?? DEFAULTS.hyperParameterEncoding
  const ranges = Object.entries(s.ranges)
  const strategy = s.strategy ?? DEFAULTS.strategy
  // Categorical values follow the template's encoding: framework containers JSON-decode them too.
  const categorical = (v: string | number | boolean) => (encoding === 'json' ? JSON.stringify(v) : String(v))
  const definition: Symbolic<HyperParameterTrainingJobDefinition> = {
    ...opt('StaticHyperParameters', encodeHyperParameters(s.training.hyperParameters, encoding, ctx, new Set(Object.keys(s.ranges)))),
    AlgorithmSpecification: algorithmSpecification(s.training, s.metricDefinitions ?? s.training.metricDefinitions, true),
    ...jobBody(s.training, {}),
  } satisfies Symbolic<HyperParameterTrainingJobDefinition>
  return deepMerge(
    {
      HyperParameterTuningJobName: tuningJobName(s),
      HyperParameterTuningJobConfig: {
        Strategy: strategy,
        ...opt(
          'StrategyConfig',
          s.hyperband === undefined ? undefined : { HyperbandStrategyConfig: { ...opt('MinResource', s.hyperband.minResource), ...opt('MaxResource', s.hyperband.maxResource) } },
        ),
        HyperParameterTuningJobObjective: { Type: s.objective.type, MetricName: s.objective.metricName },
        ResourceLimits: {
          // Grid runs every combination, so SageMaker refuses a job count for it.
          ...(strategy === 'Grid' ? {} : { MaxNumberOfTrainingJobs: s.maxJobs ?? DEFAULTS.maxJobs }),
          MaxParallelTrainingJobs: s.maxParallelJobs ?? DEFAULTS.maxParallelJobs,
          ...opt('MaxRuntimeInSeconds', s.maxRuntimeInSeconds),
        },
        ParameterRanges: {
          ContinuousParameterRanges: ranges.flatMap(([Name, r]) =>
            r._tag === 'Continuous' ? [{ Name, MinValue: rangeValue(r.min), MaxValue: rangeValue(r.max), ScalingType: r.scaling ?? 'Auto' }] : [],
          ),
          IntegerParameterRanges: ranges.flatMap(([Name, r]) =>
            r._tag === 'Integer' ? [{ Name, MinValue: rangeValue(r.min), MaxValue: rangeValue(r.max), ScalingType: r.scaling ?? 'Auto' }] : [],
          ),
          CategoricalParameterRanges: ranges.flatMap(([Name, r]) => (r._tag === 'Categorical' ? [{ Name, Values: r.values.map(categorical) }] : [])),
        },
        TrainingJobEarlyStoppingType: s.earlyStopping ?? DEFAULTS.earlyStopping,
        ...opt('RandomSeed', s.randomSeed),
        ...opt('TuningJobCompletionCriteria', s.targetObjectiveMetricValue === undefined ? undefined : { TargetObjectiveMetricValue: s.targetObjectiveMetricValue }),
      },
      // The template's own overrides address its training job definition.
      TrainingJobDefinition: deepMerge(definition, s.training.overrides),
      ...opt(
        'WarmStartConfig',
        s.warmStart === undefined
          ? undefined
          : { WarmStartType: s.warmStart.type, ParentHyperParameterTuningJobs: s.warmStart.parents.map((p) => ({ HyperParameterTuningJobName: named(p) })) },
      ),
      // The tuning job's tags, or else its template's (SageMaker passes them on to the training jobs).
      ...opt('Tags', tagList(s.tags ?? s.training.tags)),
    } satisfies Symbolic<CreateHyperParameterTuningJobCommandInput>,
    s.overrides,
  )
}

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

const containerDefinition = (c: ContainerDefinition): Symbolic<NonNullable<CreateModelCommandInput['PrimaryContainer']>> => {
  const o: Mutable<Symbolic<NonNullable<CreateModelCommandInput['PrimaryContainer']>>> = {}
  put(o, 'ContainerHostname', c.containerHostname)
  put(o, 'Image', c.image)
  put(o, 'ModelPackageName', c.modelPackageName === undefined ? undefined : named(c.modelPackageName))
  put(o, 'Mode', c.mode)
  put(o, 'ModelDataUrl', c.modelDataUrl)
  put(o, 'Environment', envMap(c.environment))
  return o
}

export const modelName = (s: StepOf<'Model'>) => stamped(s.baseName ?? s.name, JOB_NAME_LIMIT)

export const createModel = (s: StepOf<'Model'>): Symbolic<CreateModelCommandInput> => {
  const o: Mutable<Symbolic<CreateModelCommandInput>> = { ModelName: modelName(s) }
  put(o, 'PrimaryContainer', s.container === undefined ? undefined : containerDefinition(s.container))
  put(o, 'Containers', s.containers?.map(containerDefinition))
  put(o, 'ExecutionRoleArn', s.role)
  put(o, 'VpcConfig', vpcConfig(s.vpc))
  putFlag(o, 'EnableNetworkIsolation', s.enableNetworkIsolation)
  put(o, 'Tags', tagList(s.tags))
  return deepMerge(o, s.overrides)
}

// -------------------------------------------------------------------------------------
// endpoint
// -------------------------------------------------------------------------------------

/** Endpoints keep a stable name across runs (create-or-update); their configs are per run. */
export const endpointName = (s: StepOf<'Endpoint'>): Val<string> => s.endpointName ?? s.name

// An endpoint name known only at run time cannot be shortened at plan time, so its config is named
// after the step instead (`<endpoint>-<run>` could exceed 63 characters).
export const endpointConfigName = (s: StepOf<'Endpoint'>): Val<string> =>
  s.configName ?? stamped(isExpr(endpointName(s)) ? s.name : endpointName(s), JOB_NAME_LIMIT)

export const createEndpointConfig = (s: StepOf<'Endpoint'>): Symbolic<CreateEndpointConfigCommandInput> =>
  deepMerge(
    {
      EndpointConfigName: endpointConfigName(s),
      ProductionVariants: s.variants.map((v, i) => ({
        VariantName: variantName(v, i),
        ModelName: named(v.model),
        InstanceType: v.instanceType,
        InitialInstanceCount: v.initialInstanceCount ?? DEFAULTS.initialInstanceCount,
        InitialVariantWeight: v.initialWeight ?? DEFAULTS.initialWeight,
        ...opt('AcceleratorType', v.acceleratorType),
      })),
      ...opt('KmsKeyId', s.kmsKeyId),
      ...opt('Tags', tagList(s.tags)),
    } satisfies Symbolic<CreateEndpointConfigCommandInput>,
    s.overrides,
  )

export const createEndpoint = (s: StepOf<'Endpoint'>): Extract<Request, { _tag: 'CreateEndpoint' }> => {
  const EndpointName = endpointName(s)
  const EndpointConfigName = endpointConfigName(s)
  return {
    _tag: 'CreateEndpoint',
    input: { EndpointName, EndpointConfigName, ...opt('Tags', tagList(s.tags)) } satisfies Symbolic<CreateEndpointCommandInput>,
    ...((s.update ?? DEFAULTS.endpointUpdate) ? { orUpdate: { EndpointName, EndpointConfigName } as Symbolic<UpdateEndpointCommandInput> } : {}),
  }
}

// -------------------------------------------------------------------------------------
// transform
// -------------------------------------------------------------------------------------

export const transformJobName = (s: StepOf<'Transform'>) => stamped(s.baseJobName ?? s.name, JOB_NAME_LIMIT)

export const createTransformJob = (s: StepOf<'Transform'>): Symbolic<CreateTransformJobCommandInput> =>
  deepMerge(
    {
      TransformJobName: transformJobName(s),
      ModelName: named(s.model),
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: s.input.dataType ?? DEFAULTS.s3DataType, S3Uri: s.input.uri } },
        ...opt('ContentType', s.input.contentType),
        ...opt('CompressionType', s.input.compression),
        ...opt('SplitType', s.input.splitType),
      },
      TransformOutput: {
        S3OutputPath: s.output.s3OutputPath,
        ...opt('KmsKeyId', s.output.kmsKeyId),
        ...opt('Accept', s.output.accept),
        ...opt('AssembleWith', s.output.assembleWith),
      },
      TransformResources: {
        InstanceType: s.resources.instanceType,
        InstanceCount: s.resources.instanceCount ?? DEFAULTS.instanceCount,
        ...opt('VolumeKmsKeyId', s.resources.volumeKmsKeyId),
      },
      ...opt('BatchStrategy', s.batchStrategy),
      ...opt('MaxPayloadInMB', s.maxPayloadInMb),
      ...opt('MaxConcurrentTransforms', s.maxConcurrentTransforms),
      ...opt('Environment', envMap(s.environment)),
      ...opt(
        'DataProcessing',
        s.dataProcessing === undefined
          ? undefined
          : { ...opt('InputFilter', s.dataProcessing.inputFilter), ...opt('OutputFilter', s.dataProcessing.outputFilter), ...opt('JoinSource', s.dataProcessing.joinSource) },
      ),
      ...opt('Tags', tagList(s.tags)),
    } satisfies Symbolic<CreateTransformJobCommandInput>,
    s.overrides,
  )

// -------------------------------------------------------------------------------------
// model package
// -------------------------------------------------------------------------------------

export const modelPackageName = (s: StepOf<'ModelPackage'>) => stamped(s.baseName ?? s.name, JOB_NAME_LIMIT)

/** A model package from an algorithm and the model data it trained (the step's description is the package's). */
export const createModelPackage = (s: StepOf<'ModelPackage'>): Symbolic<CreateModelPackageCommandInput> =>
  deepMerge(
    {
      ModelPackageName: modelPackageName(s),
      ...opt('ModelPackageDescription', s.description),
      SourceAlgorithmSpecification: { SourceAlgorithms: [{ AlgorithmName: s.algorithmName, ModelDataUrl: s.modelDataUrl }] },
      ...opt('Tags', tagList(s.tags)),
    } satisfies Symbolic<CreateModelPackageCommandInput>,
    s.overrides,
  )

export { fitBase }
