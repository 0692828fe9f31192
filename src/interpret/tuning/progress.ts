/**
 * How far a tuning job has got, read from its Describe response: its training jobs by status and the
 * best objective so far. The executor's watch and `sagespec attach` report it each time it changes.
 *
 * @since 0.2.0
 */
import type { Output } from '../plan/operations.js'

/** @category model */
export interface TuningProgress {
  readonly completed: number
  readonly inProgress: number
  /** Retryable and non-retryable errors together. */
  readonly failed: number
  readonly stopped: number
  readonly best?: { readonly trainingJob: string; readonly metric: string; readonly value: number }
}

/** The progress a Describe response shows; `undefined` when it has no counters yet. */
export const tuningProgress = (d: Partial<Output<'DescribeHyperParameterTuningJob'>>): TuningProgress | undefined => {
  const c = d.TrainingJobStatusCounters
  if (c === undefined) return undefined
  const b = d.BestTrainingJob
  const objective = b?.FinalHyperParameterTuningJobObjectiveMetric
  return {
    completed: c.Completed ?? 0,
    inProgress: c.InProgress ?? 0,
    failed: (c.RetryableError ?? 0) + (c.NonRetryableError ?? 0),
    stopped: c.Stopped ?? 0,
    ...(b?.TrainingJobName !== undefined && objective?.Value !== undefined
      ? { best: { trainingJob: b.TrainingJobName, metric: objective.MetricName ?? '', value: objective.Value } }
      : {}),
  }
}

export const sameProgress = (a: TuningProgress | undefined, b: TuningProgress | undefined): boolean => JSON.stringify(a) === JSON.stringify(b)

/** `3 completed, 2 in progress, 1 failed, 0 stopped; best validation:auc 0.93 (tune-003-5e6f7a8b)` */
export const showProgress = (p: TuningProgress): string =>
  `${p.completed} completed, ${p.inProgress} in progress, ${p.failed} failed, ${p.stopped} stopped` +
  (p.best === undefined ? '' : `; best ${p.best.metric} ${p.best.value} (${p.best.trainingJob})`)
