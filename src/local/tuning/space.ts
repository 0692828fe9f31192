/**
 * The search space of a tuning job, read from its request's `ParameterRanges` and
 * `StaticHyperParameters`, and the two ways of naming one of its points: the values themselves, and
 * a position in the unit cube [0, 1]^d where strategies search. Scaling is SageMaker's
 * (automatic-model-tuning-define-ranges):
 *
 * - `Linear`: uniform between MinValue and MaxValue.
 * - `Logarithmic`: uniform in log(value); only for ranges with values > 0.
 * - `ReverseLogarithmic`: uniform in log(1 − value), so points crowd towards MaxValue — for values
 *   "highly sensitive to small changes very close to 1"; only continuous ranges within 0 ≤ x < 1.
 * - `Auto`: SageMaker "chooses the best scale". Here: logarithmic when every value is > 0 and the
 *   range spans more than one order of magnitude (SageMaker's advice for choosing linear is "within
 *   one order of magnitude"), otherwise linear. Never reverse-logarithmic.
 *
 * Values reach the training job as SageMaker passes them: strings; integers without a decimal point;
 * categorical values exactly as given (a framework estimator's JSON-quoted `'"adam"'` stays quoted).
 *
 * @since 0.2.0
 */
import type * as SM from '@aws-sdk/client-sagemaker'
import * as E from 'fp-ts/lib/Either.js'
import { invalid, unsupported, type TuningError } from './errors.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A scale after `Auto` is resolved. @category model */
export type Scaling = 'Linear' | 'Logarithmic' | 'ReverseLogarithmic'

/** @category model */
export type Dimension =
  | { readonly _tag: 'Continuous'; readonly name: string; readonly min: number; readonly max: number; readonly scaling: Scaling }
  | { readonly _tag: 'Integer'; readonly name: string; readonly min: number; readonly max: number; readonly scaling: Exclude<Scaling, 'ReverseLogarithmic'> }
  | { readonly _tag: 'Categorical'; readonly name: string; readonly values: ReadonlyArray<string> }

/** @category model */
export interface Space {
  readonly dimensions: ReadonlyArray<Dimension>
  readonly statics: Readonly<Record<string, string>>
}

/** One value per dimension, in the dimensions' order. @category model */
export type Point = ReadonlyArray<number | string>

/** A position in the unit cube, one coordinate per dimension. @category model */
export type Unit = ReadonlyArray<number>

// -------------------------------------------------------------------------------------
// scales
// -------------------------------------------------------------------------------------

interface Scale {
  /** Value → [0, 1] between lo and hi. */
  readonly toUnit: (lo: number, hi: number) => (v: number) => number
  /** [0, 1] → value between lo and hi; exactly lo at 0 and hi at 1. */
  readonly fromUnit: (lo: number, hi: number) => (u: number) => number
}

const lerp = (a: number, b: number, u: number): number => (u <= 0 ? a : u >= 1 ? b : a + (b - a) * u)
const ratio = (a: number, b: number, v: number): number => (b === a ? 0.5 : (v - a) / (b - a))

const SCALES: { readonly [K in Scaling]: Scale } = {
  Linear: {
    toUnit: (lo, hi) => (v) => ratio(lo, hi, v),
    fromUnit: (lo, hi) => (u) => lerp(lo, hi, u),
  },
  Logarithmic: {
    toUnit: (lo, hi) => (v) => ratio(Math.log(lo), Math.log(hi), Math.log(v)),
    fromUnit: (lo, hi) => (u) => (u <= 0 ? lo : u >= 1 ? hi : Math.exp(lerp(Math.log(lo), Math.log(hi), u))),
  },
  // log-uniform in the distance to 1: w = 1 − v runs from 1 − lo down to 1 − hi.
  ReverseLogarithmic: {
    toUnit: (lo, hi) => (v) => ratio(Math.log(1 - lo), Math.log(1 - hi), Math.log(1 - v)),
    fromUnit: (lo, hi) => (u) => (u <= 0 ? lo : u >= 1 ? hi : 1 - Math.exp(lerp(Math.log(1 - lo), Math.log(1 - hi), u))),
  },
}

const clamp01 = (u: number): number => Math.min(1, Math.max(0, u))

// Each integer owns the bin [k − ½, k + ½], so every integer of a linear range is equally likely.
const integerBounds = (d: { readonly min: number; readonly max: number }): readonly [number, number] => [d.min - 0.5, d.max + 0.5]

const DIMENSION: {
  readonly [K in Dimension['_tag']]: {
    readonly toUnit: (d: Extract<Dimension, { _tag: K }>, v: number | string) => number
    readonly fromUnit: (d: Extract<Dimension, { _tag: K }>, u: number) => number | string
    readonly encode: (d: Extract<Dimension, { _tag: K }>, v: number | string) => string
    readonly decode: (d: Extract<Dimension, { _tag: K }>, s: string) => number | string | undefined
  }
} = {
  Continuous: {
    toUnit: (d, v) => clamp01(SCALES[d.scaling].toUnit(d.min, d.max)(Number(v))),
    fromUnit: (d, u) => SCALES[d.scaling].fromUnit(d.min, d.max)(clamp01(u)),
    encode: (_, v) => String(v),
    decode: (d, s) => {
      const v = Number(s)
      return s.trim() !== '' && Number.isFinite(v) && v >= d.min && v <= d.max ? v : undefined
    },
  },
  Integer: {
    toUnit: (d, v) => clamp01(SCALES[d.scaling].toUnit(...integerBounds(d))(Number(v))),
    fromUnit: (d, u) => Math.min(d.max, Math.max(d.min, Math.round(SCALES[d.scaling].fromUnit(...integerBounds(d))(clamp01(u))))),
    encode: (_, v) => String(Math.round(Number(v))),
    decode: (d, s) => {
      const v = Number(s)
      return s.trim() !== '' && Number.isInteger(v) && v >= d.min && v <= d.max ? v : undefined
    },
  },
  Categorical: {
    toUnit: (d, v) => (Math.max(0, d.values.indexOf(String(v))) + 0.5) / d.values.length,
    fromUnit: (d, u) => d.values[Math.min(d.values.length - 1, Math.floor(clamp01(u) * d.values.length))] as string,
    encode: (_, v) => String(v),
    decode: (d, s) => (d.values.includes(s) ? s : undefined),
  },
}

const on = <R>(d: Dimension, f: (table: (typeof DIMENSION)[Dimension['_tag']]) => R): R => f(DIMENSION[d._tag] as (typeof DIMENSION)[Dimension['_tag']])

// -------------------------------------------------------------------------------------
// conversions
// -------------------------------------------------------------------------------------

/** Values → unit cube. Integers and categories land on the centre of their bin. */
export const toUnit =
  (space: Space) =>
  (point: Point): Unit =>
    space.dimensions.map((d, i) => on(d, (t) => t.toUnit(d as never, point[i] as number | string)))

/** Unit cube → values: the ends of a range map to exactly MinValue and MaxValue. */
export const fromUnit =
  (space: Space) =>
  (unit: Unit): Point =>
    space.dimensions.map((d, i) => on(d, (t) => t.fromUnit(d as never, unit[i] ?? 0.5)))

/** The same point, moved to the centre of its integer and categorical bins (what the job would run). */
export const snap =
  (space: Space) =>
  (unit: Unit): Unit =>
    toUnit(space)(fromUnit(space)(unit))

/** The tuned hyperparameters as the training job receives them. */
export const encode =
  (space: Space) =>
  (point: Point): Record<string, string> =>
    Object.fromEntries(space.dimensions.map((d, i) => [d.name, on(d, (t) => t.encode(d as never, point[i] as number | string))]))

/** Every hyperparameter of the training job: the static ones and the tuned ones. */
export const hyperParameters =
  (space: Space) =>
  (point: Point): Record<string, string> => ({ ...space.statics, ...encode(space)(point) })

/**
 * A point from hyperparameters another tuning job ran (warm start): each dimension's value from the
 * tuned ones, else from the static ones; undefined when one is missing or outside this space.
 */
export const decode =
  (space: Space) =>
  (tuned: Readonly<Record<string, string>>, statics: Readonly<Record<string, string>> = {}): Point | undefined => {
    const values = space.dimensions.map((d) => {
      const s = tuned[d.name] ?? statics[d.name]
      return s === undefined ? undefined : on(d, (t) => t.decode(d as never, s))
    })
    return values.every((v) => v !== undefined) ? (values as Point) : undefined
  }

/** The number of distinct points of an all-categorical space (Grid's job count). */
export const gridSize = (space: Space): number =>
  space.dimensions.reduce((n, d) => n * (d._tag === 'Categorical' ? d.values.length : Number.POSITIVE_INFINITY), 1)

// -------------------------------------------------------------------------------------
// from a request
// -------------------------------------------------------------------------------------

type Ranges = SM.ParameterRanges

const resolveScaling = (given: SM.HyperParameterScalingType | undefined, min: number, max: number): Scaling =>
  given === undefined || given === 'Auto' ? (min > 0 && max / min > 10 ? 'Logarithmic' : 'Linear') : given

const number = (path: string, s: string | undefined, integer: boolean): E.Either<TuningError, number> => {
  const v = Number(s)
  return s === undefined || s.trim() === '' || !Number.isFinite(v)
    ? E.left(invalid(path, `expected a number, got ${JSON.stringify(s)}`))
    : integer && !Number.isInteger(v)
      ? E.left(invalid(path, `expected an integer, got ${JSON.stringify(s)}`))
      : E.right(v)
}

const numeric = (
  kind: 'Continuous' | 'Integer',
  path: string,
  r: SM.ContinuousParameterRange | SM.IntegerParameterRange,
): ReadonlyArray<TuningError> | Dimension => {
  const lo = number(`${path}.MinValue`, r.MinValue, kind === 'Integer')
  const hi = number(`${path}.MaxValue`, r.MaxValue, kind === 'Integer')
  if (E.isLeft(lo) || E.isLeft(hi)) return [lo, hi].flatMap((x) => (E.isLeft(x) ? [x.left] : []))
  const [min, max] = [lo.right, hi.right]
  const name = r.Name ?? ''
  if (min > max) return [invalid(path, `MinValue ${min} is greater than MaxValue ${max}: swap them`)]
  const scaling = resolveScaling(r.ScalingType, min, max)
  if (scaling === 'Logarithmic' && min <= 0) return [invalid(`${path}.ScalingType`, `Logarithmic scaling needs values greater than 0 (MinValue is ${min}): raise MinValue or use Linear`)]
  if (scaling === 'ReverseLogarithmic' && kind === 'Integer') return [invalid(`${path}.ScalingType`, 'ReverseLogarithmic scaling is only for continuous ranges: use Linear or Logarithmic')]
  if (scaling === 'ReverseLogarithmic' && (min < 0 || max >= 1))
    return [invalid(`${path}.ScalingType`, `ReverseLogarithmic scaling needs a range within 0 <= x < 1 (got ${min}..${max}): use Linear or Logarithmic`)]
  return kind === 'Integer' ? { _tag: 'Integer', name, min, max, scaling: scaling as Exclude<Scaling, 'ReverseLogarithmic'> } : { _tag: 'Continuous', name, min, max, scaling }
}

/**
 * The space of a request's ranges and static hyperparameters, or every problem with them.
 * `path` prefixes the errors' paths (where the ranges sit in the request).
 */
export const fromRanges = (
  ranges: Ranges | undefined,
  statics: Readonly<Record<string, string>> | undefined,
  path = 'HyperParameterTuningJobConfig.ParameterRanges',
): E.Either<ReadonlyArray<TuningError>, Space> => {
  const errors: Array<TuningError> = []
  const dimensions: Array<Dimension> = []
  const add = (d: ReadonlyArray<TuningError> | Dimension) => (Array.isArray(d) ? errors.push(...(d as ReadonlyArray<TuningError>)) : dimensions.push(d as Dimension))
  ;(ranges?.ContinuousParameterRanges ?? []).forEach((r, i) => add(numeric('Continuous', `${path}.ContinuousParameterRanges.${i}`, r)))
  ;(ranges?.IntegerParameterRanges ?? []).forEach((r, i) => add(numeric('Integer', `${path}.IntegerParameterRanges.${i}`, r)))
  ;(ranges?.CategoricalParameterRanges ?? []).forEach((r, i) => {
    const values = r.Values ?? []
    const at = `${path}.CategoricalParameterRanges.${i}.Values`
    if (values.length === 0) errors.push(invalid(at, 'give at least one value'))
    else if (new Set(values).size !== values.length) errors.push(invalid(at, `values repeat (${values.join(', ')}): give each once`))
    else dimensions.push({ _tag: 'Categorical', name: r.Name ?? '', values })
  })
  if ((ranges?.AutoParameters ?? []).length > 0) errors.push(unsupported(`${path}.AutoParameters`, 'Autotune is not supported locally: give explicit ranges'))
  const names = dimensions.map((d) => d.name)
  names.forEach((n, i) => {
    if (n === '') errors.push(invalid(path, 'every range needs a Name'))
    else if (names.indexOf(n) !== i) errors.push(invalid(path, `hyperparameter ${n} has more than one range: keep one`))
    else if (statics !== undefined && n in statics) errors.push(invalid(path, `hyperparameter ${n} is both static and tuned: remove it from StaticHyperParameters`))
  })
  if (errors.length === 0 && dimensions.length === 0) errors.push(invalid(path, 'no hyperparameter ranges: give at least one range to search'))
  return errors.length > 0 ? E.left(errors) : E.right({ dimensions, statics: statics ?? {} })
}
