/**
 * Cross-field rules SageMaker enforces (or that the reference SDK enforced before sending), one
 * function per step kind in an exhaustive table. Literal checks are skipped when a value is a ref or
 * a param: it is only known at run time.
 *
 * @since 0.1.0
 */
import { BUILT_IN_ALGORITHM_IMAGE } from './algorithms.js'
import { DEFAULTS } from './defaults.js'
import { variantName } from './endpoint.js'
import type { SpecError } from './errors.js'
import type { StepOf, StepTag } from './step.js'
import type { TrainingJob } from './training.js'
import { isExpr } from './val.js'


const rule = (path: string, expected: string, actual: unknown): SpecError => ({ _tag: 'Rule', path, expected, actual })

const lit = <A>(v: A): v is Exclude<A, object> => !isExpr(v)

const vpcRules = (vpc: { subnets?: ReadonlyArray<unknown>; securityGroupIds?: ReadonlyArray<unknown> } | undefined, path: string): SpecError[] =>
  vpc === undefined
    ? []
    : [
        ...(vpc.subnets === undefined ? [rule(`${path}.subnets`, 'subnets too: a VPC config needs both subnets and securityGroupIds', undefined)] : []),
        ...(vpc.securityGroupIds === undefined
          ? [rule(`${path}.securityGroupIds`, 'securityGroupIds too: a VPC config needs both subnets and securityGroupIds', undefined)]
          : []),
      ]

/** AWS reserves the `aws:` prefix (in any case) for its own tags; SageMaker refuses such keys. */
const tagRules = (tags: Readonly<Record<string, unknown>> | undefined, path: string): SpecError[] =>
  Object.keys(tags ?? {})
    .filter((key) => key.toLowerCase().startsWith('aws:'))
    .map((key) => rule(`${path}.${key}`, 'a tag key not starting with "aws:" (AWS reserves that prefix for its own tags)', key))

/** Did a preset report problems on this step (see `trainingJobRules`)? */
const reported = (s: { readonly presetErrors?: ReadonlyArray<unknown> }): boolean => (s.presetErrors?.length ?? 0) > 0

/**
 * Rules of a training job body; also applied to tuning templates. `presetReported`: a preset that
 * could not pick an image leaves it out and says why in `presetErrors`, so "image missing" would only
 * repeat that less clearly.
 */
export const trainingJobRules = (s: TrainingJob, path: string, presetReported = false): SpecError[] => {
  const errors: SpecError[] = []
  const unexplainedMissing = !(presetReported && s.image === undefined && s.algorithmName === undefined)
  if ((s.image === undefined) === (s.algorithmName === undefined) && unexplainedMissing)
    errors.push(
      rule(
        s.image === undefined ? `${path}.image` : `${path}.algorithmName`,
        'exactly one of image and algorithmName',
        s.image === undefined ? undefined : { image: s.image, algorithmName: s.algorithmName },
      ),
    )
  // Guarded, so a job without them builds no path: these run once per step of every program.
  if (s.vpc !== undefined) errors.push(...vpcRules(s.vpc, `${path}.vpc`))
  if (s.tags !== undefined) errors.push(...tagRules(s.tags, `${path}.tags`))
  const maxRun = s.stopping?.maxRuntimeInSeconds ?? DEFAULTS.maxRuntimeInSeconds
  if (s.spot !== undefined && lit(s.spot.maxWaitTimeInSeconds) && lit(maxRun) && s.spot.maxWaitTimeInSeconds < maxRun)
    errors.push(rule(`${path}.spot.maxWaitTimeInSeconds`, `at least stopping.maxRuntimeInSeconds (${maxRun})`, s.spot.maxWaitTimeInSeconds))
  if (s.modelUri !== undefined) {
    const channel = s.modelChannelName ?? DEFAULTS.modelChannelName
    if (s.channels !== undefined && Object.prototype.hasOwnProperty.call(s.channels, channel))
      errors.push(rule(`${path}.modelChannelName`, `a channel name not already used by channels (model channel "${channel}")`, channel))
  } else if (s.modelChannelName !== undefined) {
    errors.push(rule(`${path}.modelChannelName`, 'modelUri as well: the model channel carries modelUri', s.modelChannelName))
  }
  if (s.metricDefinitions !== undefined) {
    const seen = new Set<string>()
    s.metricDefinitions.forEach((m, i) => {
      if (seen.has(m.name)) errors.push(rule(`${path}.metricDefinitions.${i}.name`, 'a metric name not defined twice', m.name))
      seen.add(m.name)
    })
  }
  return errors
}

const tuningRules = (s: StepOf<'Tuning'>, path: string): SpecError[] => {
  const errors = trainingJobRules(s.training, `${path}.training`, reported(s))
  const names = Object.keys(s.ranges)
  if (names.length === 0) errors.push(rule(`${path}.ranges`, 'at least one hyperparameter range', s.ranges))
  if (names.length > 30) errors.push(rule(`${path}.ranges`, 'at most 30 hyperparameter ranges', names.length))
  for (const [name, r] of Object.entries(s.ranges)) {
    const at = `${path}.ranges.${name}`
    if (r._tag === 'Categorical') continue
    if (lit(r.min) && lit(r.max) && !(r.min < r.max)) errors.push(rule(`${at}.max`, `a value greater than min (${r.min})`, r.max))
    if ((r.scaling === 'Logarithmic' || r.scaling === 'ReverseLogarithmic') && lit(r.min) && r.min <= 0)
      errors.push(rule(`${at}.min`, `a value greater than 0 for ${r.scaling} scaling`, r.min))
    if (r.scaling === 'ReverseLogarithmic' && r._tag === 'Integer') errors.push(rule(`${at}.scaling`, 'Auto, Linear or Logarithmic for an integer range', r.scaling))
    if (r.scaling === 'ReverseLogarithmic' && lit(r.max) && r.max >= 1) errors.push(rule(`${at}.max`, 'a value below 1 for ReverseLogarithmic scaling', r.max))
  }
  const strategy = s.strategy ?? DEFAULTS.strategy
  if (strategy === 'Grid') {
    for (const [name, r] of Object.entries(s.ranges))
      if (r._tag !== 'Categorical') errors.push(rule(`${path}.ranges.${name}`, 'a Categorical range: the Grid strategy searches categorical ranges only', r._tag))
    if (s.maxJobs !== undefined) errors.push(rule(`${path}.maxJobs`, 'no maxJobs with the Grid strategy (it runs every combination)', s.maxJobs))
  }
  if (s.hyperband !== undefined && strategy !== 'Hyperband') errors.push(rule(`${path}.hyperband`, 'the Hyperband strategy (hyperband settings apply to it only)', strategy))
  if (strategy === 'Hyperband' && (s.earlyStopping ?? 'Off') !== 'Off') errors.push(rule(`${path}.earlyStopping`, '"Off": Hyperband stops jobs early itself', s.earlyStopping))
  const h = s.hyperband
  if (h?.minResource !== undefined && h.maxResource !== undefined && lit(h.minResource) && lit(h.maxResource) && h.minResource > h.maxResource)
    errors.push(rule(`${path}.hyperband.maxResource`, `at least minResource (${h.minResource})`, h.maxResource))
  if (s.maxJobs !== undefined && s.maxParallelJobs !== undefined && lit(s.maxJobs) && lit(s.maxParallelJobs) && s.maxParallelJobs > s.maxJobs)
    errors.push(rule(`${path}.maxParallelJobs`, `at most maxJobs (${s.maxJobs})`, s.maxParallelJobs))
  // A BYO image reports metrics only through regexes, so the objective must be one of them. Amazon's
  // built-in algorithms publish their own metrics (`test:msd`, …) and need no definitions.
  if (s.training.image !== undefined && !(typeof s.training.image === 'string' && BUILT_IN_ALGORITHM_IMAGE.test(s.training.image))) {
    const defs = s.metricDefinitions ?? s.training.metricDefinitions ?? []
    if (!defs.some((d) => d.name === s.objective.metricName))
      errors.push(
        rule(
          `${path}.objective.metricName`,
          defs.length === 0 ? 'a metric defined in metricDefinitions (none are defined)' : `one of the defined metrics: ${defs.map((d) => d.name).join(', ')}`,
          s.objective.metricName,
        ),
      )
  }
  return errors
}

const modelRules = (s: StepOf<'Model'>, path: string): SpecError[] => {
  const errors: SpecError[] = []
  if ((s.container === undefined) === (s.containers === undefined))
    errors.push(rule(`${path}.container`, 'exactly one of container (one container) and containers (an inference pipeline)', s.container === undefined ? undefined : 'both'))
  const containers = s.containers ?? (s.container !== undefined ? [s.container] : [])
  containers.forEach((c, i) => {
    const at = s.containers !== undefined ? `${path}.containers.${i}` : `${path}.container`
    const explained = reported(s) && c.image === undefined && c.modelPackageName === undefined
    if ((c.image === undefined) === (c.modelPackageName === undefined) && !explained)
      errors.push(rule(`${at}.image`, 'exactly one of image and modelPackageName', c.image === undefined ? undefined : 'both'))
  })
  if (s.role === undefined && containers.some((c) => c.image !== undefined)) errors.push(rule(`${path}.role`, 'an IAM role ARN: a model built from an image needs an execution role', undefined))
  const hosts = containers.map((c) => c.containerHostname).filter((h) => h !== undefined)
  if (hosts.length > 1 && new Set(hosts).size !== hosts.length) errors.push(rule(`${path}.containers`, 'distinct containerHostname values', hosts))
  if (s.vpc !== undefined) errors.push(...vpcRules(s.vpc, `${path}.vpc`))
  return errors
}

const endpointRules = (s: StepOf<'Endpoint'>, path: string): SpecError[] => {
  const errors: SpecError[] = []
  const seen = new Set<string>()
  s.variants.forEach((v, i) => {
    const name = variantName(v, i)
    if (seen.has(name)) errors.push(rule(`${path}.variants.${i}.name`, 'a variant name not used by another variant', name))
    seen.add(name)
  })
  return errors
}

const transformRules = (s: StepOf<'Transform'>, path: string): SpecError[] => {
  const errors: SpecError[] = []
  const payload = s.maxPayloadInMb
  const concurrent = s.maxConcurrentTransforms
  if (payload !== undefined && concurrent !== undefined && lit(payload) && lit(concurrent) && payload * concurrent > 100)
    errors.push(rule(`${path}.maxConcurrentTransforms`, `maxConcurrentTransforms × maxPayloadInMb of at most 100 MB (maxPayloadInMb is ${payload})`, concurrent))
  return errors
}

/** A step's own tags; a training job's are checked with its body (`trainingJobRules`). */
const withTags =
  <K extends StepTag>(rules: (s: StepOf<K>, path: string) => SpecError[]) =>
  (s: StepOf<K>, path: string): SpecError[] => {
    const errors = rules(s, path)
    if (s.tags !== undefined) errors.push(...tagRules(s.tags, `${path}.tags`))
    return errors
  }

export const RULES: { readonly [K in StepTag]: (s: StepOf<K>, path: string) => SpecError[] } = {
  Training: (s, path) => trainingJobRules(s, path, reported(s)),
  Tuning: withTags(tuningRules),
  Model: withTags(modelRules),
  Endpoint: withTags(endpointRules),
  Transform: withTags(transformRules),
  // Its fields are checked by the codec; SageMaker checks the algorithm/model-data pairing itself.
  ModelPackage: withTags(() => []),
}
