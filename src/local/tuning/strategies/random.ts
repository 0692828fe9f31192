/**
 * Random search: each point uniform in the unit cube, so each hyperparameter follows its range's
 * scaling (uniform, log-uniform, reverse-log-uniform) — independent of earlier results, as SageMaker
 * describes it. Point *i* comes from its own derived generator: the same seed gives the same points
 * whatever the parallelism.
 *
 * @since 0.2.0
 */
import { derive, draws, type Rng } from '../rng.js'
import { snap, type Space, type Unit } from '../space.js'
import type { History, Strategy } from './strategy.js'

/** `count` uniform points, the k-th drawn from `derive(proposed + k)`. */
export const uniformPoints =
  (space: Space, count: number) =>
  (history: History, rng: Rng): ReadonlyArray<Unit> =>
    Array.from({ length: count }, (_, k) => {
      const u = draws(derive(history.proposed + k)(rng))
      return snap(space)(space.dimensions.map(() => u()))
    })

/** @category constructors */
export const random = (space: Space): Strategy => ({
  next: (count) => uniformPoints(space, count),
})
