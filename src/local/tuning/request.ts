/**
 * A `CreateHyperParameterTuningJob` request read into what local tuning runs: the space, the
 * objective, the strategy, the limits, the stopping rule, the completion criteria, the seed and the
 * warm-start parents — or every problem with the request, each naming its field.
 *
 * @since 0.2.0
 */
import type * as SM from '@aws-sdk/client-sagemaker'
import * as E from 'fp-ts/lib/Either.js'
import { medianRule } from './early-stopping.js'
import { invalid, unsupported, type TuningError } from './errors.js'
import { seeded, seedOf, type Rng } from './rng.js'
import { fromRanges, gridSize, type Space } from './space.js'
import { bayesian } from './strategies/bayesian.js'
import { grid } from './strategies/grid.js'
import { hyperband, type HyperbandConfig } from './strategies/hyperband.js'
import { random } from './strategies/random.js'
import type { StopRule, Strategy } from './strategies/strategy.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type StrategyName = SM.HyperParameterTuningJobStrategyType

/** @category model */
export interface Objective {
  readonly type: SM.HyperParameterTuningJobObjectiveType
  readonly metric: string
}

/** @category model */
export interface TuningPlan {
  readonly name: string
  readonly space: Space
  readonly objective: Objective
  readonly strategyName: StrategyName
  readonly strategy: Strategy
  readonly maxJobs: number
  readonly maxParallel: number
  /** `ResourceLimits.MaxRuntimeInSeconds`: the whole tuning job's time. */
  readonly maxRuntimeSeconds?: number
  /** Hyperband's rule, or the median rule of `TrainingJobEarlyStoppingType: Auto`. */
  readonly stopRule?: StopRule
  readonly target?: number
  /** `BestObjectiveNotImproving.MaxNumberOfTrainingJobsNotImproving`. */
  readonly notImproving?: number
  readonly rng: Rng
  readonly warmStart?: { readonly type: SM.HyperParameterTuningJobWarmStartType; readonly parents: ReadonlyArray<string> }
}

/** The longest tuning job name SageMaker accepts. */
export const MAX_TUNING_NAME = 32

/** Where Hyperband looks for MaxResource when it is not given (HyperbandStrategyConfig). */
export const EPOCH_KEYS: ReadonlyArray<string> = ['epochs', 'numepochs', 'n-epochs', 'n_epochs', 'num_epochs']

// -------------------------------------------------------------------------------------
// strategies
// -------------------------------------------------------------------------------------

interface StrategyInput {
  readonly config: SM.HyperParameterTuningJobConfig
  readonly space: Space
  readonly statics: Readonly<Record<string, string>>
}

type Built = E.Either<ReadonlyArray<TuningError>, { readonly strategy: Strategy; readonly maxJobs?: number }>

const CONFIG = 'HyperParameterTuningJobConfig'

const hyperbandConfig = ({ config, statics }: StrategyInput): E.Either<ReadonlyArray<TuningError>, HyperbandConfig> => {
  const given = config.StrategyConfig?.HyperbandStrategyConfig
  const at = `${CONFIG}.StrategyConfig.HyperbandStrategyConfig`
  const inferred = EPOCH_KEYS.map((k) => statics[k]).find((v) => v !== undefined)
  const max = given?.MaxResource ?? (inferred === undefined ? undefined : Number(inferred))
  const min = given?.MinResource ?? 1
  if (max === undefined) return E.left([invalid(`${at}.MaxResource`, `give MaxResource, or one of ${EPOCH_KEYS.join(', ')} in StaticHyperParameters`)])
  if (!Number.isInteger(max) || max < 1 || max > 20000) return E.left([invalid(`${at}.MaxResource`, `expected an integer from 1 to 20000, got ${String(max)}`)])
  if (!Number.isInteger(min) || min < 1 || min > max) return E.left([invalid(`${at}.MinResource`, `expected an integer from 1 to MaxResource (${max}), got ${String(min)}`)])
  return E.right({ minResource: min, maxResource: max, eta: 3 })
}

const STRATEGIES: { readonly [K in StrategyName]: (input: StrategyInput) => Built } = {
  Random: ({ space }) => E.right({ strategy: random(space) }),
  Bayesian: ({ space }) => E.right({ strategy: bayesian(space) }),
  Grid: ({ config, space }) => {
    const numeric = space.dimensions.filter((d) => d._tag !== 'Categorical').map((d) => d.name)
    if (numeric.length > 0)
      return E.left([invalid(`${CONFIG}.ParameterRanges`, `the Grid strategy accepts only categorical ranges (${numeric.join(', ')} are not): list their values as categorical ranges, or use Random or Bayesian`)])
    const size = gridSize(space)
    const given = config.ResourceLimits?.MaxNumberOfTrainingJobs
    if (given !== undefined && given !== size)
      return E.left([invalid(`${CONFIG}.ResourceLimits.MaxNumberOfTrainingJobs`, `with Grid it must equal the number of combinations (${size}), got ${given}: leave it out`)])
    return E.right({ strategy: grid(space), maxJobs: size })
  },
  Hyperband: (input) =>
    input.config.TrainingJobEarlyStoppingType === 'Auto'
      ? E.left([invalid(`${CONFIG}.TrainingJobEarlyStoppingType`, 'Hyperband stops jobs itself: set TrainingJobEarlyStoppingType to Off')])
      : E.map((c: HyperbandConfig) => ({ strategy: hyperband(input.space, c) }))(hyperbandConfig(input)),
}

// -------------------------------------------------------------------------------------
// the request
// -------------------------------------------------------------------------------------

const positive = (path: string, v: number | undefined): ReadonlyArray<TuningError> =>
  v === undefined ? [invalid(path, 'required')] : Number.isInteger(v) && v >= 1 ? [] : [invalid(path, `expected a whole number of at least 1, got ${v}`)]

/** Reads a request; collects every problem. */
export const planOf = (request: SM.CreateHyperParameterTuningJobCommandInput): E.Either<ReadonlyArray<TuningError>, TuningPlan> => {
  const errors: Array<TuningError> = []
  const name = request.HyperParameterTuningJobName ?? ''
  if (!/^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$/.test(name))
    errors.push(invalid('HyperParameterTuningJobName', `expected 1 to ${MAX_TUNING_NAME} letters, digits and hyphens, starting and ending with a letter or digit, got ${JSON.stringify(name)}`))
  const config = request.HyperParameterTuningJobConfig
  if (config === undefined) return E.left([...errors, invalid(CONFIG, 'required')])
  const definitions = request.TrainingJobDefinitions ?? []
  if (definitions.length > 1 || (definitions.length === 1 && request.TrainingJobDefinition !== undefined))
    errors.push(unsupported('TrainingJobDefinitions', 'tuning several training job definitions at once is not supported locally: give one TrainingJobDefinition'))
  const definition = request.TrainingJobDefinition ?? definitions[0]
  if (definition === undefined) errors.push(invalid('TrainingJobDefinition', 'required'))
  const statics = definition?.StaticHyperParameters ?? {}
  const objective = config.HyperParameterTuningJobObjective ?? definition?.TuningObjective
  if (objective?.MetricName === undefined || objective.Type === undefined)
    errors.push(invalid(`${CONFIG}.HyperParameterTuningJobObjective`, 'give the objective: its MetricName and Type (Maximize or Minimize)'))
  const ranges = config.ParameterRanges ?? definition?.HyperParameterRanges
  const space = fromRanges(ranges, statics, config.ParameterRanges === undefined ? 'TrainingJobDefinition.HyperParameterRanges' : `${CONFIG}.ParameterRanges`)
  if (E.isLeft(space)) errors.push(...space.left)
  const limits = config.ResourceLimits
  errors.push(...positive(`${CONFIG}.ResourceLimits.MaxParallelTrainingJobs`, limits?.MaxParallelTrainingJobs))
  if (config.Strategy !== 'Grid') errors.push(...positive(`${CONFIG}.ResourceLimits.MaxNumberOfTrainingJobs`, limits?.MaxNumberOfTrainingJobs))
  const maxRuntime = limits?.MaxRuntimeInSeconds
  if (maxRuntime !== undefined && !(Number.isInteger(maxRuntime) && maxRuntime >= 120 && maxRuntime <= 15768000))
    errors.push(invalid(`${CONFIG}.ResourceLimits.MaxRuntimeInSeconds`, `expected a whole number of seconds from 120 to 15768000, got ${maxRuntime}`))
  if (config.TuningJobCompletionCriteria?.ConvergenceDetected?.CompleteOnConvergence === 'Enabled')
    errors.push(unsupported(`${CONFIG}.TuningJobCompletionCriteria.ConvergenceDetected`, 'convergence detection is not supported locally: use TargetObjectiveMetricValue or BestObjectiveNotImproving'))
  const notImproving = config.TuningJobCompletionCriteria?.BestObjectiveNotImproving?.MaxNumberOfTrainingJobsNotImproving
  if (notImproving !== undefined) errors.push(...positive(`${CONFIG}.TuningJobCompletionCriteria.BestObjectiveNotImproving.MaxNumberOfTrainingJobsNotImproving`, notImproving))
  const seed = config.RandomSeed
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) errors.push(invalid(`${CONFIG}.RandomSeed`, `expected a whole number of at least 0, got ${seed}`))
  const warm = request.WarmStartConfig
  const parents = (warm?.ParentHyperParameterTuningJobs ?? []).map((p) => p.HyperParameterTuningJobName ?? '')
  if (warm !== undefined && (parents.length === 0 || parents.length > 5))
    errors.push(invalid('WarmStartConfig.ParentHyperParameterTuningJobs', `give 1 to 5 parent tuning jobs, got ${parents.length}`))
  if (warm !== undefined && config.Strategy === 'Grid') errors.push(unsupported('WarmStartConfig', 'Grid tries every combination once, so a warm start has nothing to add: leave it out'))
  const strategyName = config.Strategy
  if (strategyName === undefined || !(strategyName in STRATEGIES)) errors.push(invalid(`${CONFIG}.Strategy`, `expected one of ${Object.keys(STRATEGIES).join(', ')}, got ${String(strategyName)}`))
  if (E.isLeft(space) || strategyName === undefined || !(strategyName in STRATEGIES) || objective?.MetricName === undefined || objective.Type === undefined) return E.left(errors)
  const built = STRATEGIES[strategyName]({ config, space: space.right, statics })
  if (E.isLeft(built)) errors.push(...built.left)
  if (errors.length > 0 || E.isLeft(built)) return E.left(errors)
  const rule = built.right.strategy.stopRule ?? (config.TrainingJobEarlyStoppingType === 'Auto' ? medianRule() : undefined)
  const target = config.TuningJobCompletionCriteria?.TargetObjectiveMetricValue
  return E.right({
    name,
    space: space.right,
    objective: { type: objective.Type, metric: objective.MetricName },
    strategyName,
    strategy: built.right.strategy,
    maxJobs: built.right.maxJobs ?? (limits?.MaxNumberOfTrainingJobs as number),
    maxParallel: limits?.MaxParallelTrainingJobs as number,
    rng: seeded(seed ?? seedOf(name)),
    ...(rule === undefined ? {} : { stopRule: rule }),
    ...(target === undefined ? {} : { target }),
    ...(maxRuntime === undefined ? {} : { maxRuntimeSeconds: maxRuntime }),
    ...(notImproving === undefined ? {} : { notImproving }),
    ...(warm === undefined || warm.WarmStartType === undefined ? {} : { warmStart: { type: warm.WarmStartType, parents } }),
  })
}
