/**
 * What a local tuning job knows about itself and its training jobs: immutable records that the
 * driver replaces as things happen (beside the plan it runs), and that `outputs.ts` turns into the
 * cloud's Describe and List responses.
 *
 * @since 0.2.0
 */
import type * as SM from '@aws-sdk/client-sagemaker'
import type { TuningPlan } from './request.js'
import type { Point, Unit } from './space.js'

/** One training job the tuning job launched. @category model */
export interface JobRecord {
  /** Launch order, from 0. */
  readonly index: number
  readonly name: string
  readonly point: Point
  readonly unit: Unit
  /** The tuned hyperparameters as passed (strings). */
  readonly tuned: Readonly<Record<string, string>>
  readonly status: SM.TrainingJobStatus
  readonly objectiveStatus: SM.ObjectiveStatus
  /** The final objective value (the metric's last value), as reported: not oriented. */
  readonly objective?: number
  /** Every value of the objective metric, in order (one per epoch). */
  readonly intermediate: ReadonlyArray<number>
  readonly failureReason?: string
  /** Why the tuner stopped it (early stopping, Hyperband, the tuning job ending). */
  readonly stopReason?: string
  readonly creationTime: Date
  readonly startTime?: Date
  readonly endTime?: Date
}

/** A training job of a warm-start parent, as its tuning job listed it. @category model */
export interface ParentResults {
  readonly staticHyperParameters?: Readonly<Record<string, string>>
  readonly trainingJobs: ReadonlyArray<SM.HyperParameterTrainingJobSummary>
}

/** The driver's own journal: a logical clock, so concurrency can be counted without time. @category model */
export type TuningEvent =
  | { readonly _tag: 'JobStarted'; readonly seq: number; readonly name: string }
  | { readonly _tag: 'JobStopRequested'; readonly seq: number; readonly name: string; readonly reason: string }
  | { readonly _tag: 'JobEnded'; readonly seq: number; readonly name: string; readonly status: SM.TrainingJobStatus }
  | { readonly _tag: 'StatusChanged'; readonly seq: number; readonly status: SM.HyperParameterTuningJobStatus; readonly reason?: string }

/** @category model */
export interface TuningState {
  readonly request: SM.CreateHyperParameterTuningJobCommandInput
  readonly plan: TuningPlan
  /** `arn:aws:sagemaker:<region>:<account>`: ARNs are this, the resource type and the lower-cased name. */
  readonly arnPrefix: string
  readonly status: SM.HyperParameterTuningJobStatus
  readonly failureReason?: string
  readonly creationTime: Date
  readonly lastModifiedTime: Date
  readonly endTime?: Date
  readonly jobs: ReadonlyArray<JobRecord>
  /** Warm-start parents' training jobs, by parent. */
  readonly parents: ReadonlyArray<{ readonly name: string; readonly results: ParentResults }>
  /** Jobs in a row that did not improve the best objective by 1% or more. */
  readonly notImproving: number
  readonly events: ReadonlyArray<TuningEvent>
}

/** The most jobs that ran at once, read from the events (not from time). */
export const peakConcurrency = (events: ReadonlyArray<TuningEvent>): number =>
  events.reduce<{ now: number; peak: number }>(
    (acc, e) => {
      const now = acc.now + (e._tag === 'JobStarted' ? 1 : e._tag === 'JobEnded' ? -1 : 0)
      return { now, peak: Math.max(acc.peak, now) }
    },
    { now: 0, peak: 0 },
  ).peak

/** The objective oriented so that larger is better. */
export const oriented = (type: SM.HyperParameterTuningJobObjectiveType, value: number): number => (type === 'Minimize' ? -value : value)
