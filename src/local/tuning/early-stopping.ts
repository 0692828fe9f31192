/**
 * `TrainingJobEarlyStoppingType: Auto`: a median stopping rule over the objective's intermediate
 * values, as SageMaker describes it (automatic-model-tuning-early-stopping): after each epoch, take
 * the running average of the objective, up to that epoch, of every earlier training job of the tuning
 * job, and their median; if the current job's value at that epoch is worse than that median, stop it.
 * (Google Vizier's rule is the same with the job's best value so far; SageMaker's text says the
 * current value, so this follows SageMaker.)
 *
 * Earlier jobs count only once they have reached the same epoch. Until `minPeers` of them have, no
 * job is stopped, so a single early job is not the only yardstick.
 *
 * @since 0.2.0
 */
import { CONTINUE, stop, type Progress, type StopRule } from './strategies/strategy.js'

/** @category model */
export interface MedianOptions {
  /** Earlier jobs needed at an epoch before anything is stopped there. @default 3 */
  readonly minPeers?: number
}

const mean = (xs: ReadonlyArray<number>): number => xs.reduce((a, b) => a + b, 0) / xs.length

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** @category constructors */
export const medianRule =
  (options: MedianOptions = {}): StopRule =>
  (job: Progress, others: ReadonlyArray<Progress>) => {
    const t = job.scores.length
    const peers = others.filter((o) => o.index < job.index && o.scores.length >= t)
    if (t === 0 || peers.length < (options.minPeers ?? 3)) return CONTINUE
    const threshold = median(peers.map((o) => mean(o.scores.slice(0, t))))
    const current = job.scores[t - 1] as number
    return current < threshold ? stop(`early stopping: at epoch ${t} the objective is worse than the median of ${peers.length} earlier jobs' running averages`) : CONTINUE
  }
