/**
 * Hyperparameter tuning jobs (`CreateHyperParameterTuningJob`). The template is a training job body;
 * the static hyperparameters are the template's minus the tuned names.
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import * as C from './codec.js'
import * as F from './fields.js'
import * as P from './primitives.js'
import { limits, serviceEnum } from './service-rules.js'
import { MetricDefinition, TrainingJob } from './training.js'

export const SCALING_TYPES = serviceEnum('HyperParameterScalingType')

export const ContinuousRange = C.struct(
  'ContinuousRange',
  { _tag: C.literal('Continuous'), min: C.vnum('MinValue'), max: C.vnum('MaxValue') },
  { /** @default 'Auto' */ scaling: C.voneOf('ScalingType', SCALING_TYPES) },
)
export const IntegerRange = C.struct(
  'IntegerRange',
  { _tag: C.literal('Integer'), min: C.vint('MinValue'), max: C.vint('MaxValue') },
  { scaling: C.voneOf('ScalingType', SCALING_TYPES) },
)
// SageMaker's ParameterValue is Java's `.*` of at most 256: no line break.
const CategoricalString = C.str('CategoricalString', limits('ParameterValue'))
const CategoricalValue = C.scalar(
  'CategoricalValue',
  'a string of at most 256 characters on one line, a number or a boolean',
  (u): u is string | number | boolean => CategoricalString.is(u) || (typeof u === 'number' && Number.isFinite(u)) || typeof u === 'boolean',
)
export const CategoricalRange = C.struct(
  'CategoricalRange',
  { _tag: C.literal('Categorical'), values: C.array(CategoricalValue, { min: 1, max: 30 }) },
  {},
)
export const ParameterRange = C.taggedUnion('ParameterRange', {
  Continuous: ContinuousRange,
  Integer: IntegerRange,
  Categorical: CategoricalRange,
})
export type ParameterRange = t.TypeOf<typeof ParameterRange>

export const STRATEGIES = serviceEnum('HyperParameterTuningJobStrategyType')

export const Objective = C.struct(
  'Objective',
  {
    metricName: C.str('MetricName', { ...limits('MetricName'), describe: 'a metric name of 1 to 255 characters on one line' }),
    type: C.oneOf('ObjectiveType', serviceEnum('HyperParameterTuningJobObjectiveType')),
  },
  {},
)

export const WarmStart = C.struct(
  'WarmStart',
  {
    type: C.oneOf('WarmStartType', serviceEnum('HyperParameterTuningJobWarmStartType')),
    /** Parent tuning jobs: refs to tuning steps (`tune.outputs.jobName`), or `existing('name')` for earlier ones. */
    parents: C.array(
      F.reference(C.vstr('ParentTuningJobName', { ...limits('HyperParameterTuningJobName'), describe: 'a tuning job name of 1 to 32 letters, digits and hyphens' }), 'TuningJobName'),
      { min: 1, max: 5 },
    ),
  },
  {},
)

export const tuningFields = {
  required: {
    training: TrainingJob,
    objective: Objective,
    ranges: C.record(ParameterRange, { key: C.str('ParameterName', { ...limits('ParameterKey'), min: 1, describe: 'a hyperparameter name of 1 to 256 characters on one line' }) }),
  },
  optional: {
    /** @default 'Bayesian' */
    strategy: C.oneOf('Strategy', STRATEGIES),
    hyperband: C.struct('HyperbandStrategyConfig', {}, { minResource: C.vint('MinResource', { min: 1 }), maxResource: C.vint('MaxResource', { min: 1 }) }),
    /** @default 1 */
    maxJobs: C.vint('MaxNumberOfTrainingJobs', { min: 1 }),
    /** @default 1 */
    maxParallelJobs: C.vint('MaxParallelTrainingJobs', { min: 1 }),
    maxRuntimeInSeconds: C.vint('MaxRuntimeInSeconds', { min: 120, max: 15768000 }),
    /** @default 'Off' */
    earlyStopping: C.oneOf('TrainingJobEarlyStoppingType', serviceEnum('TrainingJobEarlyStoppingType')),
    warmStart: WarmStart,
    /** The tuner's own metric definitions. @default the template's */
    metricDefinitions: C.array(MetricDefinition, { max: 40 }),
    randomSeed: C.vint('RandomSeed', { min: 0 }),
    targetObjectiveMetricValue: C.vnum('TargetObjectiveMetricValue'),
    /** Base of the physical tuning job name (at most 32 characters with the run stamp). @default the step's name */
    baseJobName: P.BaseName,
    tags: P.Tags,
    overrides: P.overridesOf('Tuning'),
  },
} as const
