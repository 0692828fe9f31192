/**
 * Grid search, as SageMaker defines it: only categorical ranges; one training job per distinct
 * combination of their values, each exactly once (the job count is the number of combinations, and
 * `MaxNumberOfTrainingJobs`, when given, must equal it). Combinations come in odometer order — the
 * last range turns fastest — so the proposal order is fixed and needs no randomness.
 *
 * @since 0.2.0
 */
import { gridSize, toUnit, type Space, type Unit } from '../space.js'
import type { Strategy } from './strategy.js'

/** The i-th combination (0-based) of an all-categorical space. */
export const combination =
  (space: Space) =>
  (i: number): Unit => {
    let rest = i
    const indices: Array<number> = []
    for (let k = space.dimensions.length - 1; k >= 0; k--) {
      const d = space.dimensions[k]
      const n = d?._tag === 'Categorical' ? d.values.length : 1
      indices[k] = rest % n
      rest = Math.floor(rest / n)
    }
    return toUnit(space)(space.dimensions.map((d, k) => (d._tag === 'Categorical' ? (d.values[indices[k] ?? 0] as string) : 0)))
  }

/** @category constructors */
export const grid = (space: Space): Strategy => ({
  next: (count) => (history) => {
    const from = history.proposed
    const to = Math.min(gridSize(space), from + count)
    return Array.from({ length: Math.max(0, to - from) }, (_, k) => combination(space)(from + k))
  },
})
