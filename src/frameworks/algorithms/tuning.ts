/**
 * Tuning an Amazon algorithm: the reference SDK's `HyperparameterTuner` validated every range endpoint
 * and categorical value against the algorithm's `hp` descriptors before sending anything; so does
 * `algorithmTuning`, reporting each problem as a `presetErrors` entry of the tuning step
 * (`ranges.<wire name>.min`, `….max`, `….values.<i>`). It is stricter in two ways: a range for a name
 * the algorithm does not have is an error (the SDK skipped it; SageMaker refuses it later), and the
 * range's kind must fit the hyperparameter (an integer is tuned with an Integer or Categorical range,
 * an enum or flag with a Categorical one).
 *
 * @since 0.1.0
 */
import type { ParameterRange } from '../../spec/tuning.js'
import { tuning, type TrainingStep } from '../../spec/step.js'
import { isExpr } from '../../spec/val.js'
import { ALGORITHM_IMAGES } from '../images.js'
import { check, describe, encode, type Descriptor } from './descriptors.js'
import type { PresetError } from './preset.js'
import { ALGORITHM_SPECS, AMAZON_ALGORITHMS, type AlgorithmSpec, type AmazonAlgorithm } from './tables.js'

type TuningBody = Parameters<typeof tuning>[1]

export interface AlgorithmTuningOptions extends Omit<TuningBody, 'training' | 'presetErrors'> {
  /** The template: a step made by one of the algorithm presets (it need not be in the program). */
  readonly training: TrainingStep
  /** @default the algorithm whose image the template uses */
  readonly algorithm?: AmazonAlgorithm
}

/** Every hyperparameter of an algorithm by wire name, `feature_dim` and `mini_batch_size` included. */
export const descriptorsByWire = (spec: AlgorithmSpec): ReadonlyMap<string, Descriptor> =>
  new Map([...Object.values(spec.hyperParameters), spec.featureDim, spec.miniBatchSize].map((d) => [d.wire, d]))

/** The Amazon algorithm an image belongs to (`…/kmeans:1` → `kmeans`), as the SDK's `attach` guessed it. */
export const algorithmOfImage = (image: unknown): AmazonAlgorithm | undefined => {
  if (typeof image !== 'string') return undefined
  const repository = /\/([^/:]+):1$/.exec(image)?.[1]
  return AMAZON_ALGORITHMS.find((a) => ALGORITHM_IMAGES[ALGORITHM_SPECS[a].algorithm].repository === repository)
}

// Categorical values may be written as strings ('0.5', 'True'); read them as the hyperparameter's type.
const asTyped = (d: Descriptor, v: unknown): unknown => {
  if (typeof v !== 'string') return v
  if ((d.type === 'int' || d.type === 'float') && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  if (d.type === 'bool' && (v === 'True' || v === 'False' || v === 'true' || v === 'false')) return v === 'True' || v === 'true'
  return v
}

const NUMERIC_RANGES: { readonly [K in Descriptor['type']]: ReadonlyArray<'Continuous' | 'Integer'> } = {
  int: ['Integer'],
  float: ['Continuous', 'Integer'],
  enum: [],
  bool: [],
  string: [],
  list: [],
}

/**
 * Check tuning ranges against an algorithm's descriptors. Paths are relative to the tuning step.
 *
 * @category validation
 */
export const rangeErrors = (spec: AlgorithmSpec, ranges: Readonly<Record<string, ParameterRange>>): ReadonlyArray<PresetError> => {
  const byWire = descriptorsByWire(spec)
  return Object.entries(ranges).flatMap(([name, r]): PresetError[] => {
    const at = `ranges.${name}`
    const d = byWire.get(name)
    if (d === undefined) return [{ path: at, expected: `a hyperparameter of ${spec.title}: ${[...byWire.keys()].join(', ')}`, actual: name }]
    if (r._tag === 'Categorical')
      return r.values.flatMap((v, i) => (check(d, asTyped(d, v)) ? [] : [{ path: `${at}.values.${i}`, expected: describe(d), actual: v }]))
    if (!NUMERIC_RANGES[d.type].includes(r._tag))
      return [
        {
          path: at,
          expected: `${NUMERIC_RANGES[d.type].length === 0 ? 'a Categorical range' : 'an Integer or Categorical range'}: ${name} is ${describe(d)}`,
          actual: r._tag,
        },
      ]
    return (['min', 'max'] as const).flatMap((end) => (check(d, r[end]) ? [] : [{ path: `${at}.${end}`, expected: describe(d), actual: r[end] }]))
  })
}

// Categorical values are sent as the static hyperparameter would be (`True`, `1.0`, …).
const encodedRanges = (spec: AlgorithmSpec, ranges: Readonly<Record<string, ParameterRange>>): Readonly<Record<string, ParameterRange>> => {
  const byWire = descriptorsByWire(spec)
  return Object.fromEntries(
    Object.entries(ranges).map(([name, r]) => {
      const d = byWire.get(name)
      return [
        name,
        r._tag === 'Categorical' && d !== undefined
          ? { ...r, values: r.values.map((v) => (isExpr(v) ? v : (encode(d, asTyped(d, v)) as string))) }
          : r,
      ]
    }),
  )
}

/**
 * A tuning job of an Amazon algorithm, from a training step made by its preset.
 *
 * @example
 * algorithmTuning('tune', { training: kmeans('km', {…}), objective: { metricName: 'test:msd', type: 'Minimize' },
 *   ranges: { k: { _tag: 'Integer', min: 2, max: 20 } }, maxJobs: 10, maxParallelJobs: 2 })
 * @category constructors
 */
export const algorithmTuning = (name: string, o: AlgorithmTuningOptions) => {
  const { training: step, algorithm, ...rest } = o
  const { _tag, name: _name, after, description: _description, presetErrors, ...job } = step
  const which = algorithm ?? algorithmOfImage(step.image)
  const errors: PresetError[] = (presetErrors ?? []).map((e) => ({ ...e, path: `training.${e.path}` }))
  const spec = which === undefined ? undefined : (ALGORITHM_SPECS[which] as AlgorithmSpec)
  if (spec === undefined)
    errors.push({ path: 'training.image', expected: `the image of an Amazon algorithm (${AMAZON_ALGORITHMS.join(', ')}), or give algorithm`, actual: step.image })
  else errors.push(...rangeErrors(spec, o.ranges))
  const allAfter = [...(after ?? []), ...(rest.after ?? [])]
  return tuning(name, {
    ...rest,
    training: job,
    ranges: spec === undefined ? o.ranges : encodedRanges(spec, o.ranges),
    ...(allAfter.length > 0 ? { after: [...new Set(allAfter)] } : {}),
    ...(errors.length > 0 ? { presetErrors: errors } : {}),
  })
}
