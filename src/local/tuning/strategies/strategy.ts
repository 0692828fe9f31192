/**
 * What every search strategy is: a pure function from what is known so far (and a seeded generator)
 * to the next points to try, plus — for Hyperband — a rule that stops jobs on their intermediate
 * metrics. The driver owns every effect; strategies only compute.
 *
 * @since 0.2.0
 */
import type { Rng } from '../rng.js'
import type { Point, Unit } from '../space.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One training job as strategies see it. @category model */
export interface Trial {
  readonly point: Point
  readonly unit: Unit
  /** `Pending` while it runs; `Failed` when it gave no objective value. */
  readonly status: 'Pending' | 'Succeeded' | 'Failed'
  /** The objective, oriented so that larger is better (a minimised metric is negated). */
  readonly score?: number
}

/** @category model */
export interface History {
  /** This tuning job's trials in launch order, after the warm-start parents' ones. */
  readonly trials: ReadonlyArray<Trial>
  /** How many points this tuning job has proposed (parents' trials not counted). */
  readonly proposed: number
}

/** @category model */
export interface Strategy {
  /**
   * Up to `count` new points (in the unit cube) given the history; fewer, or none, when the strategy
   * has nothing more to try (Grid, once every combination is out).
   */
  readonly next: (count: number) => (history: History, rng: Rng) => ReadonlyArray<Unit>
  /** Hyperband's own stopping rule; undefined for the others. */
  readonly stopRule?: StopRule
}

/** A running job's objective values so far (oriented, larger is better), one per report. @category model */
export interface Progress {
  /** Launch order in this tuning job, from 0. */
  readonly index: number
  readonly scores: ReadonlyArray<number>
}

/** @category model */
export type Verdict = { readonly _tag: 'Continue' } | { readonly _tag: 'Stop'; readonly reason: string }

/** Decides, on a job's newest report, whether it goes on; `others` are every other job of the tuning job. */
export type StopRule = (job: Progress, others: ReadonlyArray<Progress>) => Verdict

export const CONTINUE: Verdict = { _tag: 'Continue' }
export const stop = (reason: string): Verdict => ({ _tag: 'Stop', reason })
