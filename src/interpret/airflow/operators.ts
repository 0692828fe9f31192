/**
 * One Amazon-provider operator per step kind: which class runs it, how the plan's requests become its
 * `config`, which config fields it casts back to integers after Jinja rendered them to strings, and the
 * arguments sagespec sets deliberately. Checked against the provider's source
 * (`airflow/providers/amazon/aws/operators/sagemaker.py`: `_create_integer_fields`, `execute`).
 *
 * @since 0.1.0
 */
import type { StepTag } from '../../spec/step.js'
import type { Request, RequestTag } from '../plan/requests.js'
import { py, type PyExpr } from './python.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A path into a config, by keys only: list items are walked through, as the operators do. */
export type FieldPath = string

export interface OperatorSpec {
  readonly _tag: 'Operator'
  readonly className: string
  /** The module `className` is imported from. */
  readonly module: string
  /**
   * For a kind the provider has no operator for: the Python function, written into the DAG file, that
   * a `PythonOperator` calls with the config (in `op_kwargs`, which Airflow renders like `config`).
   */
  readonly callable?: string
  /** The key of the operator's XCom result that holds the step's Describe* response. */
  readonly xcomKey: string
  /** Where the step's `overrides` land in the config (they are merged into its first request). */
  readonly overridesAt: ReadonlyArray<string>
  /** The operator's `config`: the step's requests, as the operator expects them. */
  readonly config: (requests: ReadonlyArray<Request>) => Readonly<Record<string, unknown>>
  /** The operator's `integer_fields`: cast with `int()` after rendering. */
  readonly integerFields: ReadonlyArray<FieldPath>
  /**
   * Fields of our requests that are numbers or booleans in the SageMaker API. A template there renders
   * to a string, which boto3 refuses unless the operator casts it (`integerFields`).
   */
  readonly nonStringFields: ReadonlyArray<FieldPath>
  /** Keyword arguments beside `task_id` and `config`. */
  readonly kwargs: ReadonlyArray<readonly [string, PyExpr]>
}

/** A step kind no provider operator can run as its requests say; the export is refused. */
export interface NoOperator {
  readonly _tag: 'NoOperator'
  readonly reason: string
}

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const inputOf = (requests: ReadonlyArray<Request>, tag: RequestTag): Readonly<Record<string, unknown>> => {
  const r = requests.find((x) => x._tag === tag)
  // The plan's compilers always produce these requests for the kind.
  if (r === undefined) throw new Error(`operators: no ${tag} request in the step`)
  return r.input as Readonly<Record<string, unknown>>
}

/** Numeric and boolean fields of a training job body (CreateTrainingJob and a tuning job's definition). */
const TRAINING_BODY_NON_STRING = [
  'ResourceConfig.InstanceCount',
  'ResourceConfig.VolumeSizeInGB',
  'ResourceConfig.KeepAlivePeriodInSeconds',
  'StoppingCondition.MaxRuntimeInSeconds',
  'StoppingCondition.MaxWaitTimeInSeconds',
  'EnableNetworkIsolation',
  'EnableInterContainerTrafficEncryption',
  'EnableManagedSpotTraining',
  'AlgorithmSpecification.EnableSageMakerMetricsTimeSeries',
  'RetryStrategy.MaximumRetryAttempts',
  'InputDataConfig.ShuffleConfig.Seed',
] as const

const under = (prefix: string, paths: ReadonlyArray<string>): ReadonlyArray<string> => paths.map((p) => `${prefix}.${p}`)

const SAGEMAKER_OPERATORS = 'airflow.providers.amazon.aws.operators.sagemaker'

/** Waiting makes a task succeed only when its SageMaker work did, and gives downstream tasks final outputs. */
const WAIT = ['wait_for_completion', py.bool(true)] as const
/** A retry after the job was created starts a new one with a suffixed name instead of failing. */
const ON_EXISTING_JOB = [
  ['check_if_job_exists', py.bool(true)],
  ['action_if_job_exists', py.str('timestamp')],
] as const

// -------------------------------------------------------------------------------------
// the table
// -------------------------------------------------------------------------------------

/** One entry per step kind: adding a kind is a compile error here until it is exported. */
export const OPERATORS: { readonly [K in StepTag]: OperatorSpec | NoOperator } = {
  Training: {
    _tag: 'Operator',
    className: 'SageMakerTrainingOperator',
    module: SAGEMAKER_OPERATORS,
    xcomKey: 'Training',
    overridesAt: [],
    config: (rs) => inputOf(rs, 'CreateTrainingJob'),
    integerFields: ['ResourceConfig.InstanceCount', 'ResourceConfig.VolumeSizeInGB', 'StoppingCondition.MaxRuntimeInSeconds'],
    nonStringFields: TRAINING_BODY_NON_STRING,
    kwargs: [WAIT, ...ON_EXISTING_JOB],
  },
  Tuning: {
    _tag: 'Operator',
    className: 'SageMakerTuningOperator',
    module: SAGEMAKER_OPERATORS,
    xcomKey: 'Tuning',
    overridesAt: [],
    config: (rs) => inputOf(rs, 'CreateHyperParameterTuningJob'),
    integerFields: [
      'HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs',
      'HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs',
      'TrainingJobDefinition.ResourceConfig.InstanceCount',
      'TrainingJobDefinition.ResourceConfig.VolumeSizeInGB',
      'TrainingJobDefinition.StoppingCondition.MaxRuntimeInSeconds',
    ],
    nonStringFields: [
      'HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs',
      'HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs',
      'HyperParameterTuningJobConfig.ResourceLimits.MaxRuntimeInSeconds',
      'HyperParameterTuningJobConfig.StrategyConfig.HyperbandStrategyConfig.MinResource',
      'HyperParameterTuningJobConfig.StrategyConfig.HyperbandStrategyConfig.MaxResource',
      'HyperParameterTuningJobConfig.RandomSeed',
      'HyperParameterTuningJobConfig.TuningJobCompletionCriteria.TargetObjectiveMetricValue',
      // A tuning job's algorithm specification has no EnableSageMakerMetricsTimeSeries.
      ...under('TrainingJobDefinition', TRAINING_BODY_NON_STRING.filter((f) => f !== 'AlgorithmSpecification.EnableSageMakerMetricsTimeSeries')),
    ],
    kwargs: [WAIT],
  },
  Model: {
    _tag: 'Operator',
    className: 'SageMakerModelOperator',
    module: SAGEMAKER_OPERATORS,
    xcomKey: 'Model',
    overridesAt: [],
    config: (rs) => inputOf(rs, 'CreateModel'),
    integerFields: [],
    nonStringFields: ['EnableNetworkIsolation'],
    kwargs: [],
  },
  Endpoint: {
    _tag: 'Operator',
    className: 'SageMakerEndpointOperator',
    module: SAGEMAKER_OPERATORS,
    // It returns {'EndpointConfig': DescribeEndpointConfig, 'Endpoint': DescribeEndpoint}.
    xcomKey: 'Endpoint',
    overridesAt: ['EndpointConfig'],
    // With both keys the operator creates the config, then the endpoint; when the endpoint exists,
    // 'create' falls back to UpdateEndpoint (and drops Tags, as our UpdateEndpoint request does).
    config: (rs) => ({ EndpointConfig: inputOf(rs, 'CreateEndpointConfig'), Endpoint: inputOf(rs, 'CreateEndpoint') }),
    integerFields: ['EndpointConfig.ProductionVariants.InitialInstanceCount'],
    nonStringFields: ['EndpointConfig.ProductionVariants.InitialInstanceCount', 'EndpointConfig.ProductionVariants.InitialVariantWeight'],
    kwargs: [['operation', py.str('create')], WAIT],
  },
  Transform: {
    _tag: 'Operator',
    className: 'SageMakerTransformOperator',
    module: SAGEMAKER_OPERATORS,
    // It returns {'Model': DescribeModel, 'Transform': DescribeTransformJob}.
    xcomKey: 'Transform',
    overridesAt: [],
    config: (rs) => inputOf(rs, 'CreateTransformJob'),
    integerFields: ['TransformResources.InstanceCount', 'MaxConcurrentTransforms', 'MaxPayloadInMB'],
    nonStringFields: ['TransformResources.InstanceCount', 'MaxConcurrentTransforms', 'MaxPayloadInMB'],
    kwargs: [WAIT, ...ON_EXISTING_JOB],
  },
  // SageMakerRegisterModelVersionOperator makes a versioned package in a group, with an inference
  // specification of its own; none takes a CreateModelPackage request from an algorithm as it is. So
  // a PythonOperator calls the provider's SageMakerHook with the planned request and waits.
  ModelPackage: {
    _tag: 'Operator',
    className: 'PythonOperator',
    module: 'airflow.operators.python',
    callable: 'create_model_package',
    xcomKey: 'ModelPackage',
    overridesAt: [],
    config: (rs) => inputOf(rs, 'CreateModelPackage'),
    // Nothing casts a rendered template back to a number here.
    integerFields: [],
    nonStringFields: ['CertifyForMarketplace'],
    kwargs: [],
  },
}

/** The operators a plan uses, by kind; undefined for kinds that have none. */
export const operatorOf = (kind: StepTag): OperatorSpec | undefined => {
  const op = OPERATORS[kind]
  return op._tag === 'Operator' ? op : undefined
}
