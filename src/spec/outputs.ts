/**
 * What a step produces: the paths of its Describe* response that other steps may refer to. The table
 * is checked against the AWS SDK's response types (`satisfies`), so a path that SageMaker does not
 * return cannot be listed, and `validate` rejects refs to anything not listed.
 *
 * @since 0.1.0
 */
import type {
  DescribeEndpointOutput,
  DescribeHyperParameterTuningJobResponse,
  DescribeModelOutput,
  DescribeModelPackageOutput,
  DescribeTrainingJobResponse,
  DescribeTransformJobResponse,
} from '@aws-sdk/client-sagemaker'
import type { Meaning } from './meaning.js'
import { ref, type Ref } from './val.js'

/**
 * A leaf's meaning (`meaning.ts`; `Number` is the one number); `map` means one more free key whose
 * value is text (hyperparameters).
 */
export type OutputLeaf = Meaning | 'map'
export type OutputSchema = { readonly [k: string]: OutputLeaf | OutputSchema }

type SchemaFor<T> = {
  readonly [K in keyof T]?: NonNullable<T[K]> extends string
    ? Exclude<Meaning, 'Number'>
    : NonNullable<T[K]> extends number
      ? 'Number'
      : NonNullable<T[K]> extends Record<string, string>
        ? 'map' | SchemaFor<NonNullable<T[K]>>
        : SchemaFor<NonNullable<T[K]>>
}

export const TRAINING_OUTPUTS = {
  TrainingJobName: 'TrainingJobName',
  TrainingJobArn: 'TrainingJobArn',
  TrainingJobStatus: 'Text',
  ModelArtifacts: { S3ModelArtifacts: 'S3Uri' },
  HyperParameters: 'map',
  OutputDataConfig: { S3OutputPath: 'S3Uri' },
  AlgorithmSpecification: { TrainingImage: 'ImageUri', AlgorithmName: 'AlgorithmName' },
  RoleArn: 'RoleArn',
  CheckpointConfig: { S3Uri: 'S3Uri' },
  BillableTimeInSeconds: 'Number',
  TrainingTimeInSeconds: 'Number',
} as const satisfies SchemaFor<DescribeTrainingJobResponse>

export const TUNING_OUTPUTS = {
  HyperParameterTuningJobName: 'TuningJobName',
  HyperParameterTuningJobArn: 'TuningJobArn',
  HyperParameterTuningJobStatus: 'Text',
  BestTrainingJob: {
    TrainingJobName: 'TrainingJobName',
    TrainingJobArn: 'TrainingJobArn',
    TunedHyperParameters: 'map',
    FinalHyperParameterTuningJobObjectiveMetric: { MetricName: 'Text', Value: 'Number' },
  },
  TrainingJobDefinition: {
    StaticHyperParameters: 'map',
    OutputDataConfig: { S3OutputPath: 'S3Uri' },
    AlgorithmSpecification: { TrainingImage: 'ImageUri', AlgorithmName: 'AlgorithmName' },
    RoleArn: 'RoleArn',
  },
} as const satisfies SchemaFor<DescribeHyperParameterTuningJobResponse>

export const MODEL_OUTPUTS = {
  ModelName: 'ModelName',
  ModelArn: 'ModelArn',
  ExecutionRoleArn: 'RoleArn',
  PrimaryContainer: { Image: 'ImageUri', ModelDataUrl: 'S3Uri' },
} as const satisfies SchemaFor<DescribeModelOutput>

export const ENDPOINT_OUTPUTS = {
  EndpointName: 'EndpointName',
  EndpointArn: 'EndpointArn',
  EndpointConfigName: 'EndpointConfigName',
  EndpointStatus: 'Text',
} as const satisfies SchemaFor<DescribeEndpointOutput>

export const TRANSFORM_OUTPUTS = {
  TransformJobName: 'TransformJobName',
  TransformJobArn: 'TransformJobArn',
  TransformJobStatus: 'Text',
  ModelName: 'ModelName',
  TransformOutput: { S3OutputPath: 'S3Uri' },
} as const satisfies SchemaFor<DescribeTransformJobResponse>

export const MODEL_PACKAGE_OUTPUTS = {
  ModelPackageName: 'ModelPackageName',
  ModelPackageArn: 'ModelPackageArn',
  ModelPackageStatus: 'Text',
  ModelPackageDescription: 'Text',
} as const satisfies SchemaFor<DescribeModelPackageOutput>

/** Look a path up in a schema: its scalar type and meaning, or the list of what exists where it went wrong. */
export const lookupOutput = (
  schema: OutputSchema,
  path: ReadonlyArray<string>,
):
  | { readonly _tag: 'Found'; readonly type: 'string' | 'number'; readonly meaning: Meaning }
  | { readonly _tag: 'NotFound'; readonly expected: ReadonlyArray<string> } => {
  let node: OutputLeaf | OutputSchema = schema
  for (let i = 0; i < path.length; i++) {
    if (node === 'map') return i === path.length - 1 ? { _tag: 'Found', type: 'string', meaning: 'Text' } : { _tag: 'NotFound', expected: ['<one key>'] }
    if (typeof node === 'string') return { _tag: 'NotFound', expected: [] }
    const next: OutputLeaf | OutputSchema | undefined = Object.prototype.hasOwnProperty.call(node, path[i]!) ? node[path[i]!] : undefined
    if (next === undefined) return { _tag: 'NotFound', expected: leafPaths(node) }
    node = next
  }
  return typeof node === 'string' && node !== 'map'
    ? { _tag: 'Found', type: node === 'Number' ? 'number' : 'string', meaning: node }
    : { _tag: 'NotFound', expected: typeof node === 'string' ? ['<one key>'] : leafPaths(node) }
}

/** Every leaf path of a schema, dotted, for error messages. */
export const leafPaths = (schema: OutputSchema, prefix = ''): ReadonlyArray<string> =>
  Object.entries(schema).flatMap(([k, v]) =>
    typeof v === 'string' ? [v === 'map' ? `${prefix}${k}.<key>` : `${prefix}${k}`] : leafPaths(v, `${prefix}${k}.`),
  )

// -------------------------------------------------------------------------------------
// friendly, typed outputs per step kind
// -------------------------------------------------------------------------------------

// A step's outputs are made on first read, each once: a program holds every step, and most steps' outputs
// are never read (a chain reads one ref of each step, a fan-out one step's). Their paths are made and frozen
// once per kind and shared by every step's refs (`ref` keeps a frozen path as it is).
const MAKE = Symbol('sagespec.outputs.make')

class Outputs {
  readonly #step: string
  #made: Record<string, unknown> | undefined
  constructor(step: string) {
    this.#step = step
  }
  [MAKE]<A>(key: string, make: (step: string) => A): A {
    const made = (this.#made ??= {})
    return (made[key] ??= make(this.#step)) as A
  }
}

const refTo =
  (path: ReadonlyArray<string>) =>
  (step: string): Ref<unknown> =>
    ref(step, path)

/** The outputs of one kind: each field a ref at its path, or a value made from the step's name. */
const lazyOutputs = <O>(fields: { readonly [K in keyof O & string]: ReadonlyArray<string> | ((step: string) => O[K]) }): ((step: string) => O) => {
  class Of extends Outputs {}
  for (const key of Object.keys(fields) as Array<keyof O & string>) {
    const field: ReadonlyArray<string> | ((step: string) => unknown) = fields[key]
    const make = typeof field === 'function' ? field : refTo(Object.freeze([...field]))
    Object.defineProperty(Of.prototype, key, {
      get(this: Outputs) {
        return this[MAKE](key, make)
      },
      enumerable: false,
      configurable: true,
    })
  }
  return (step) => new Of(step) as unknown as O
}

export interface TrainingOutputs {
  readonly jobName: Ref<string, 'TrainingJobName'>
  readonly jobArn: Ref<string, 'TrainingJobArn'>
  /** `s3://<output path>/<job>/output/model.tar.gz` */
  readonly modelArtifacts: Ref<string, 'S3Uri'>
  /** One of the job's hyperparameters, as SageMaker stores it (text); `validate` checks the job sets it. */
  readonly hyperParameter: (name: string) => Ref<string, 'Text'>
}
export const trainingOutputs = lazyOutputs<TrainingOutputs>({
  jobName: ['TrainingJobName'],
  jobArn: ['TrainingJobArn'],
  modelArtifacts: ['ModelArtifacts', 'S3ModelArtifacts'],
  hyperParameter: (step) => (name) => ref(step, ['HyperParameters', name]),
})

export interface TuningOutputs {
  readonly jobName: Ref<string, 'TuningJobName'>
  readonly jobArn: Ref<string, 'TuningJobArn'>
  readonly bestTrainingJob: {
    readonly name: Ref<string, 'TrainingJobName'>
    readonly arn: Ref<string, 'TrainingJobArn'>
    readonly objectiveValue: Ref<number, 'Number'>
    /** A tuned hyperparameter (text); `validate` checks the tuning job has a range of that name. */
    readonly hyperParameter: (name: string) => Ref<string, 'Text'>
  }
}
export const tuningOutputs = lazyOutputs<TuningOutputs>({
  jobName: ['HyperParameterTuningJobName'],
  jobArn: ['HyperParameterTuningJobArn'],
  bestTrainingJob: (step) => ({
    name: ref(step, ['BestTrainingJob', 'TrainingJobName']),
    arn: ref(step, ['BestTrainingJob', 'TrainingJobArn']),
    objectiveValue: ref(step, ['BestTrainingJob', 'FinalHyperParameterTuningJobObjectiveMetric', 'Value']),
    hyperParameter: (name) => ref(step, ['BestTrainingJob', 'TunedHyperParameters', name]),
  }),
})

export interface ModelOutputs {
  readonly name: Ref<string, 'ModelName'>
  readonly arn: Ref<string, 'ModelArn'>
}
export const modelOutputs = lazyOutputs<ModelOutputs>({ name: ['ModelName'], arn: ['ModelArn'] })

export interface EndpointOutputs {
  readonly name: Ref<string, 'EndpointName'>
  readonly arn: Ref<string, 'EndpointArn'>
  readonly configName: Ref<string, 'EndpointConfigName'>
}
export const endpointOutputs = lazyOutputs<EndpointOutputs>({ name: ['EndpointName'], arn: ['EndpointArn'], configName: ['EndpointConfigName'] })

export interface TransformOutputs {
  readonly jobName: Ref<string, 'TransformJobName'>
  readonly jobArn: Ref<string, 'TransformJobArn'>
  readonly outputPath: Ref<string, 'S3Uri'>
}
export const transformOutputs = lazyOutputs<TransformOutputs>({
  jobName: ['TransformJobName'],
  jobArn: ['TransformJobArn'],
  outputPath: ['TransformOutput', 'S3OutputPath'],
})

export interface ModelPackageOutputs {
  readonly name: Ref<string, 'ModelPackageName'>
  readonly arn: Ref<string, 'ModelPackageArn'>
}
export const modelPackageOutputs = lazyOutputs<ModelPackageOutputs>({ name: ['ModelPackageName'], arn: ['ModelPackageArn'] })

// Typed paths into a Describe* response, for anything the friendly outputs do not name.
type Keys<T> = Extract<keyof NonNullable<T>, string>
type At<T, K extends string> = NonNullable<T>[K & keyof NonNullable<T>]
type Leaf<T> = NonNullable<T> extends string ? string : NonNullable<T> extends number ? number : never

/** `refAt<DescribeTrainingJobResponse>()('train', 'ModelArtifacts', 'S3ModelArtifacts')`: a Ref typed by the SDK. */
export interface PathRef<D> {
  <K1 extends Keys<D>>(k1: K1): Ref<Leaf<At<D, K1>>>
  <K1 extends Keys<D>, K2 extends Keys<At<D, K1>>>(k1: K1, k2: K2): Ref<Leaf<At<At<D, K1>, K2>>>
  <K1 extends Keys<D>, K2 extends Keys<At<D, K1>>, K3 extends Keys<At<At<D, K1>, K2>>>(k1: K1, k2: K2, k3: K3): Ref<Leaf<At<At<At<D, K1>, K2>, K3>>>
}
export const pathRef =
  <D>(step: string): PathRef<D> =>
  ((...path: string[]) =>
    ref(step, path)) as PathRef<D>
