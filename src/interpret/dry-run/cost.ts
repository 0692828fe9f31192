/**
 * What a plan can cost at worst, in instance-hours, read from the limits the program sets: a job runs
 * at most its `MaxRuntimeInSeconds` (a spot job may hold its instances until `MaxWaitTimeInSeconds`),
 * a tuning job runs at most `MaxNumberOfTrainingJobs` such jobs, and an endpoint bills for as long as
 * it exists. With a price table (instance type → hourly USD, from a file the user gives: no network)
 * the hours become money. Values known only at run time (params, refs) leave a figure unknown rather
 * than guessed.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { DEFAULTS } from '../../spec/defaults.js'
import type { StepOf, StepTag } from '../../spec/step.js'
import type { TrainingJob } from '../../spec/training.js'
import { isExpr } from '../../spec/val.js'
import type { Plan, PlannedStep } from '../plan/plan.js'
import { showVal } from './render-value.js'
import { codePoints } from '../../spec/code-points.js'

/** Instance type → hourly price in USD. */
export type Prices = Readonly<Record<string, number>>

/** Instances of one type: `type` and `count` as the plan shows them, `count` a number when known. */
export interface Fleet {
  readonly instanceType: unknown
  readonly count: unknown
}

export type Usage =
  /** Jobs that stop at a limit: at most `jobs` × `seconds` on each fleet. */
  | { readonly _tag: 'Bounded'; readonly fleet: Fleet; readonly seconds: unknown; readonly jobs: unknown; readonly limit: string }
  /** A job without a time limit (batch transform): it runs as long as its input takes. */
  | { readonly _tag: 'Unbounded'; readonly fleet: Fleet }
  /** Instances that stay up while the endpoint exists. */
  | { readonly _tag: 'Standing'; readonly fleets: ReadonlyArray<Fleet> }
  /** No instances of its own (models, model packages). */
  | { readonly _tag: 'Free' }

const known = (v: unknown): number | undefined => (typeof v === 'number' && !isExpr(v) ? v : undefined)

const jobFleet = (s: TrainingJob): Fleet => ({ instanceType: s.resources.instanceType, count: s.resources.instanceCount ?? DEFAULTS.instanceCount })

/** Per job: a spot job may hold its instances until MaxWait; otherwise until MaxRuntime. */
const jobLimit = (s: TrainingJob): { readonly seconds: unknown; readonly limit: string } =>
  s.spot !== undefined
    ? { seconds: s.spot.maxWaitTimeInSeconds, limit: 'MaxWaitTimeInSeconds (spot)' }
    : { seconds: s.stopping?.maxRuntimeInSeconds ?? DEFAULTS.maxRuntimeInSeconds, limit: 'MaxRuntimeInSeconds' }

/** Grid runs every combination of its categorical values; the other strategies stop at maxJobs. */
const tuningJobs = (s: StepOf<'Tuning'>): unknown =>
  (s.strategy ?? DEFAULTS.strategy) === 'Grid'
    ? Object.values(s.ranges).reduce((n, r) => n * (r._tag === 'Categorical' ? r.values.length : 1), 1)
    : (s.maxJobs ?? DEFAULTS.maxJobs)

const USAGE: { readonly [K in StepTag]: (s: StepOf<K>) => Usage } = {
  Training: (s) => ({ _tag: 'Bounded', fleet: jobFleet(s), jobs: 1, ...jobLimit(s) }),
  Tuning: (s) => ({ _tag: 'Bounded', fleet: jobFleet(s.training), jobs: tuningJobs(s), ...jobLimit(s.training) }),
  Model: () => ({ _tag: 'Free' }),
  Endpoint: (s) => ({ _tag: 'Standing', fleets: s.variants.map((v) => ({ instanceType: v.instanceType, count: v.initialInstanceCount ?? DEFAULTS.initialInstanceCount })) }),
  Transform: (s) => ({ _tag: 'Unbounded', fleet: { instanceType: s.resources.instanceType, count: s.resources.instanceCount ?? DEFAULTS.instanceCount } }),
  ModelPackage: () => ({ _tag: 'Free' }),
}

export const usage = (p: PlannedStep): Usage => (USAGE[p.kind] as (s: PlannedStep['step']) => Usage)(p.step)

/** Worst-case instance-hours of a bounded usage, when every factor is a literal. */
export const instanceHours = (u: Extract<Usage, { _tag: 'Bounded' }>): number | undefined => {
  const [count, seconds, jobs] = [known(u.fleet.count), known(u.seconds), known(u.jobs)]
  return count === undefined || seconds === undefined || jobs === undefined ? undefined : (count * seconds * jobs) / 3600
}

/** The hourly price of one instance, when its type is a literal listed in `prices`. */
const unitPrice = (instanceType: unknown, prices: Prices | undefined): number | undefined =>
  typeof instanceType === 'string' && prices !== undefined && Object.prototype.hasOwnProperty.call(prices, instanceType) ? prices[instanceType] : undefined

/** The hourly price of a whole fleet. */
export const hourlyPrice = (f: Fleet, prices: Prices | undefined): number | undefined => {
  const [count, price] = [known(f.count), unitPrice(f.instanceType, prices)]
  return count === undefined || price === undefined ? undefined : count * price
}

/** The worst-case money of a bounded usage. */
export const boundedPrice = (u: Extract<Usage, { _tag: 'Bounded' }>, prices: Prices | undefined): number | undefined => {
  const [hours, price] = [instanceHours(u), unitPrice(u.fleet.instanceType, prices)]
  return hours === undefined || price === undefined ? undefined : hours * price
}

// -------------------------------------------------------------------------------------
// showing
// -------------------------------------------------------------------------------------

// Whole hours (the usual case) print as they are: what the rounding trip gives them, without it.
const round = (n: number) => (Number.isInteger(n) ? String(n) : Number(n.toFixed(2)).toString())
export const showHours = (h: number | undefined): string => (h === undefined ? '? instance-hours' : `${round(h)} instance-hour${h === 1 ? '' : 's'}`)
/** Cents, or finer below a dollar so that an hourly price such as $0.115 reads as the price list says. */
export const showMoney = (usd: number): string => (usd >= 1 || usd === 0 ? `$${usd.toFixed(2)}` : `$${Number(usd.toFixed(4)).toFixed(Math.max(2, (Number(usd.toFixed(4)).toString().split('.')[1] ?? '').length))}`)
export const showFleet = (f: Fleet): string => `${showVal(f.count)} × ${showVal(f.instanceType)}`
const showSeconds = (s: unknown): string => (known(s) === undefined ? showVal(s) : `${round(known(s)! / 3600)} h`)

/** The worst-case line of a step: the factors, their product and, with prices, its money. */
export const usageLine = (u: Usage, prices: Prices | undefined): string | undefined => (USAGE_LINES[u._tag] as (u: Usage, prices: Prices | undefined) => string | undefined)(u, prices)

const USAGE_LINES: { readonly [K in Usage['_tag']]: (u: Extract<Usage, { _tag: K }>, prices: Prices | undefined) => string | undefined } = {
  Bounded: (b, prices) => {
    const jobs = known(b.jobs) === 1 ? '' : ` × ${showVal(b.jobs)} jobs`
    return `${showFleet(b.fleet)} × ${showSeconds(b.seconds)} (${b.limit})${jobs} = ${showHours(instanceHours(b))}${money(prices, boundedPrice(b, prices))}`
  },
  Unbounded: (x, prices) => `${showFleet(x.fleet)} while the job runs (transform jobs have no time limit)${money(prices, hourlyPrice(x.fleet, prices), '/hour')}`,
  Standing: (s, prices) => s.fleets.map((f) => `${showFleet(f)} while the endpoint exists${money(prices, hourlyPrice(f, prices), '/hour')}`).join('; '),
  Free: () => undefined,
}

/** A usage line's money: nothing without prices, and a price unknown said so. */
const money = (prices: Prices | undefined, usd: number | undefined, suffix = '') => (prices === undefined ? '' : usd === undefined ? '  (no price)' : `  ≈ ${showMoney(usd)}${suffix}`)

/** The totals at the end of the plan. */
export const totals = (plan: Plan, prices: Prices | undefined): ReadonlyArray<string> => {
  // The bounded uses and the open-ended fleets, each in step order.
  const bounded: Array<readonly [string, Extract<Usage, { _tag: 'Bounded' }>]> = []
  const open: Array<readonly [string, Fleet, string]> = []
  for (const p of plan.steps) {
    const u = usage(p)
    if (u._tag === 'Bounded') bounded.push([p.name, u])
    else if (u._tag === 'Standing') for (const f of u.fleets) open.push([p.name, f, 'while the endpoint exists'])
    else if (u._tag === 'Unbounded') open.push([p.name, u.fleet, 'while the job runs'])
  }
  if (bounded.length === 0 && open.length === 0) return []
  const hours = bounded.map(([, u]) => instanceHours(u))
  const money = bounded.map(([, u]) => boundedPrice(u, prices))
  const sum = (xs: ReadonlyArray<number | undefined>) => (xs.some((x) => x === undefined) ? undefined : xs.reduce<number>((a, x) => a + x!, 0))
  const priced = (usd: number | undefined, suffix = '') => (prices === undefined ? [] : [usd === undefined ? 'no price' : `${showMoney(usd)}${suffix}`])
  const rows: string[][] = [
    ...bounded.map(([n, u], i) => [n, showFleet(u.fleet), showHours(hours[i]), ...priced(money[i])]),
    ...(bounded.length > 1 ? [['total', '', showHours(sum(hours)), ...priced(sum(money))]] : []),
  ]
  const standing: string[][] = open.map(([n, f, while_]) => [n, showFleet(f), while_, ...priced(hourlyPrice(f, prices), '/hour')])
  const unknown = hours.some((h) => h === undefined) ? ['   (? = depends on a value known only at run time)'] : []
  return [
    ...(rows.length > 0 ? ['Worst case, every job running to its limit:', ...table(rows), ...unknown] : []),
    ...(standing.length > 0 ? [...(rows.length > 0 ? [''] : []), 'Billed by the hour with no limit, while each exists or runs:', ...table(standing)] : []),
  ]
}

/** Rows as left-aligned columns, three spaces in. */
export const table = (rows: ReadonlyArray<ReadonlyArray<string>>): ReadonlyArray<string> => {
  // Each column as wide as its widest cell in code points; the widths are those of the last row's
  // columns (a shorter row drops the ones past it), as a fold of each row over the widths before it.
  const widths: number[] = []
  for (const r of rows) {
    r.forEach((c, i) => void (widths[i] = Math.max(widths[i] ?? 0, codePoints(c))))
    widths.length = r.length
  }
  return rows.map((r) => `   ${r.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - codePoints(c)))).join('  ')}`.trimEnd())
}


// -------------------------------------------------------------------------------------
// reading a price file
// -------------------------------------------------------------------------------------

/** A price table from JSON text: an object of instance type → non-negative hourly USD. */
export const parsePrices = (text: string): E.Either<string, Prices> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return E.left(`is not JSON (${(e as Error).message}); expected an object of instance type → hourly price in USD, e.g. {"ml.m5.xlarge": 0.23}`)
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return E.left('expected an object of instance type → hourly price in USD, e.g. {"ml.m5.xlarge": 0.23}')
  const bad = Object.entries(json).find(([, v]) => typeof v !== 'number' || !Number.isFinite(v) || v < 0)
  if (bad !== undefined) return E.left(`the price of ${JSON.stringify(bad[0])} is ${JSON.stringify(bad[1])}; expected a non-negative number (hourly USD)`)
  return E.right(Object.fromEntries(Object.entries(json)) as Prices)
}
