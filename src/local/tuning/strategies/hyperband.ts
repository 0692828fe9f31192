/**
 * Hyperband (Li, Jamieson, DeSalvo, Rostamizadeh & Talwalkar, "Hyperband: A Novel Bandit-Based
 * Approach to Hyperparameter Optimization", JMLR 2018), run asynchronously with stopping, as
 * SageMaker runs it: SageMaker passes no resource hyperparameter — every job is started with its
 * static hyperparameters (its `epochs`) and the tuner *stops* it on its intermediate objective values.
 * The resource is the number of objective values a job has reported (epochs). A job is never stopped
 * before `MinResource` reports, and is stopped once it reaches `MaxResource`.
 *
 * Points are random. Job *i* belongs to a bracket, assigned in Hyperband's proportions (bracket s gets
 * ⌈(s_max+1)/(s+1) · η^s⌉ jobs per round, η = 3, s_max = ⌊log_η(MaxResource/MinResource)⌋). Bracket s
 * judges its jobs at the rungs r·η^k between `MinResource`·η^(s_max−s) and `MaxResource`: on reaching a
 * rung a job goes on only if its value there is among the best 1/η of the values every job of its
 * bracket had at that rung so far — successive halving made asynchronous (Li et al., "A System for
 * Massively Parallel Hyperparameter Tuning", MLSys 2020), since a stopped job cannot be resumed.
 *
 * @since 0.2.0
 */
import type { Space } from '../space.js'
import { uniformPoints } from './random.js'
import { CONTINUE, stop, type Progress, type Strategy } from './strategy.js'

/** @category model */
export interface HyperbandConfig {
  readonly minResource: number
  readonly maxResource: number
  /** @default 3 */
  readonly eta?: number
}

/** Brackets from the most aggressive (s = s_max, many jobs judged early) to s = 0 (no stopping before MaxResource). */
export const brackets = (config: HyperbandConfig): ReadonlyArray<{ readonly s: number; readonly jobs: number; readonly rungs: ReadonlyArray<number> }> => {
  const eta = config.eta ?? 3
  const sMax = Math.max(0, Math.floor(Math.log(config.maxResource / config.minResource) / Math.log(eta) + 1e-9))
  return Array.from({ length: sMax + 1 }, (_, k) => {
    const s = sMax - k
    const rungs: Array<number> = []
    for (let r = config.minResource * eta ** (sMax - s); r < config.maxResource; r *= eta) rungs.push(r)
    return { s, jobs: Math.ceil(((sMax + 1) / (s + 1)) * eta ** s), rungs }
  })
}

/** The bracket of the job launched i-th: brackets take turns, each for its share of jobs. */
export const bracketOf =
  (config: HyperbandConfig) =>
  (index: number): number => {
    const all = brackets(config)
    const round = all.reduce((n, b) => n + b.jobs, 0)
    let at = index % round
    for (const b of all) {
      if (at < b.jobs) return b.s
      at -= b.jobs
    }
    return 0
  }

/** @category constructors */
export const hyperband = (space: Space, config: HyperbandConfig): Strategy => {
  const eta = config.eta ?? 3
  const bracket = bracketOf(config)
  const rungsOf = new Map(brackets(config).map((b) => [b.s, b.rungs]))
  return {
    next: (count) => uniformPoints(space, count),
    stopRule: (job: Progress, others: ReadonlyArray<Progress>) => {
      const t = job.scores.length
      if (t >= config.maxResource) return stop(`reached MaxResource (${config.maxResource})`)
      const s = bracket(job.index)
      if (!(rungsOf.get(s) ?? []).includes(t)) return CONTINUE
      const own = job.scores[t - 1] as number
      const atRung = [own, ...others.filter((o) => o.scores.length >= t && bracket(o.index) === s).map((o) => o.scores[t - 1] as number)]
      const keep = Math.max(1, Math.floor(atRung.length / eta))
      const rank = 1 + atRung.filter((v) => v > own).length
      return rank <= keep ? CONTINUE : stop(`Hyperband: at resource ${t} not among the best 1/${eta} of ${atRung.length} jobs of its bracket`)
    },
  }
}
