/**
 * Bayesian optimisation: after a few random points, each proposal maximises the expected improvement
 * of a Gaussian-process surrogate fitted to every objective value known so far (this job's and its
 * warm-start parents'); see `gp.ts` for the model and its references. Integer and categorical
 * coordinates are snapped to their bins before scoring, so the surrogate only rates points a job
 * could run.
 *
 * Points proposed while others are still running are chosen with the "kriging believer" heuristic
 * (Ginsbourger, Le Riche & Carraro, "Kriging is well-suited to parallelize optimization", 2010): each
 * pending point counts as observed at the surrogate's mean, so parallel jobs spread out instead of
 * piling onto one maximum.
 *
 * Expected improvement is maximised over random candidates plus Gaussian steps around the best points
 * seen, then refined around the best candidate. All randomness comes from the proposal's derived
 * generator, so a seed fixes the sequence.
 *
 * @since 0.2.0
 */
import { derive, draws, gaussian, type Rng } from '../rng.js'
import { snap, type Space, type Unit } from '../space.js'
import { expectedImprovement, fit, fitWith, predict, type Gp } from './gp.js'
import { uniformPoints } from './random.js'
import type { History, Strategy } from './strategy.js'

/** @category model */
export interface BayesianOptions {
  /** Points (tried, running or from warm-start parents) before the surrogate takes over. @default clamp(d + 2, 3, 10) */
  readonly initial?: number
  /** Uniform candidates per proposal. @default 1000 */
  readonly candidates?: number
  /**
   * Exploration margin of expected improvement, in standard deviations of the objective. 0 by
   * default: a margin in those units dwarfs the last 1% of a wide-ranging objective (Branin spans
   * 0.4 to 300), and the surrogate's own uncertainty already explores.
   * @default 0
   */
  readonly xi?: number
}

const standardise = (ys: ReadonlyArray<number>): ReadonlyArray<number> => {
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length
  const sd = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length) || 1
  return ys.map((y) => (y - mean) / sd)
}

const clip = (u: number): number => Math.min(1, Math.max(0, u))
const same = (a: Unit, b: Unit): boolean => a.every((x, i) => Math.abs(x - (b[i] as number)) < 1e-12)

/** The candidate with the highest expected improvement (never one already tried, while others exist). */
const maximise = (space: Space, gp: Gp, best: number, xi: number, seen: ReadonlyArray<Unit>, anchors: ReadonlyArray<Unit>, uniform: () => number, count: number): Unit => {
  const d = space.dimensions.length
  const score = (u: Unit) => {
    const p = predict(gp)(u)
    return expectedImprovement(p.mean, p.sd, best, xi)
  }
  let top: { u: Unit; ei: number } | undefined
  const consider = (raw: ReadonlyArray<number>) => {
    const u = snap(space)(raw.map(clip))
    if (seen.some((s) => same(s, u))) return
    const ei = score(u)
    if (top === undefined || ei > top.ei) top = { u, ei }
  }
  const around = (centre: Unit, scale: number) => consider(centre.map((c) => c + scale * gaussian(uniform)))
  for (let i = 0; i < count; i++) consider(Array.from({ length: d }, () => uniform()))
  for (const a of anchors) for (const scale of [0.2, 0.05, 0.01]) for (let i = 0; i < 30; i++) around(a, scale)
  for (const scale of [0.05, 0.01, 0.002]) {
    const centre = top?.u
    if (centre !== undefined) for (let i = 0; i < 30; i++) around(centre, scale)
  }
  // Every candidate was a point already tried (a small discrete space): take a random one.
  return top?.u ?? snap(space)(Array.from({ length: d }, () => uniform()))
}

/** @category constructors */
export const bayesian = (space: Space, options: BayesianOptions = {}): Strategy => {
  const d = space.dimensions.length
  const initial = options.initial ?? Math.min(10, Math.max(3, d + 2))
  const candidates = options.candidates ?? 1000
  const xi = options.xi ?? 0
  return {
    next: (count) => (history: History, rng: Rng) => {
      const observed = history.trials.filter((t) => t.status === 'Succeeded' && t.score !== undefined)
      const out: Array<Unit> = []
      for (let k = 0; k < count; k++) {
        const index = history.proposed + k
        // Random until `initial` points are known or running — warm-start parents' points count.
        if (history.trials.length + k < initial || observed.length < 2) {
          out.push(...uniformPoints(space, 1)({ ...history, proposed: index }, rng))
          continue
        }
        const zs = standardise(observed.map((t) => t.score as number))
        const xs = observed.map((t) => t.unit)
        const chosen = fit(xs, zs)
        if (chosen === undefined) {
          out.push(...uniformPoints(space, 1)({ ...history, proposed: index }, rng))
          continue
        }
        // Kriging believer: pending points (and this batch's earlier picks) observed at the mean.
        const pending = [...history.trials.filter((t) => t.status === 'Pending').map((t) => t.unit), ...out]
        const gp =
          pending.length === 0
            ? chosen
            : (fitWith([...xs, ...pending], [...zs, ...pending.map((u) => predict(chosen)(u).mean)], chosen.lengthScales, chosen.noise) ?? chosen)
        const best = Math.max(...zs)
        const anchors = [...observed]
          .sort((a, b) => (b.score as number) - (a.score as number))
          .slice(0, 5)
          .map((t) => t.unit)
        const seen = [...history.trials.map((t) => t.unit), ...out]
        out.push(maximise(space, gp, best, xi, seen, anchors, draws(derive(index)(rng)), candidates))
      }
      return out
    },
  }
}
