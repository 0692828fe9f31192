/**
 * A local tuning job's `DescribeHyperParameterTuningJob` and `ListTrainingJobsForHyperParameterTuningJob`
 * responses, in the cloud's shapes — BestTrainingJob with its TunedHyperParameters and
 * FinalHyperParameterTuningJobObjectiveMetric, the status and objective counters, the times — so
 * `tune.outputs.bestTrainingJob` refs and tuning analytics read a local job as they read a cloud one.
 * Pure functions of the state.
 *
 * @since 0.2.0
 */
import type * as SM from '@aws-sdk/client-sagemaker'
import * as E from 'fp-ts/lib/Either.js'
import { oriented, type JobRecord, type TuningState } from './state.js'

export type DescribeOutput = SM.DescribeHyperParameterTuningJobResponse
export type ListInput = SM.ListTrainingJobsForHyperParameterTuningJobRequest
export type ListOutput = SM.ListTrainingJobsForHyperParameterTuningJobResponse

export const arnOf = (prefix: string, resource: 'training-job' | 'hyper-parameter-tuning-job', name: string): string => `${prefix}:${resource}/${name.toLowerCase()}`

/** One training job as the tuning job lists it. */
export const summaryOf =
  (state: TuningState) =>
  (job: JobRecord): SM.HyperParameterTrainingJobSummary => ({
    TrainingJobName: job.name,
    TrainingJobArn: arnOf(state.arnPrefix, 'training-job', job.name),
    TuningJobName: state.plan.name,
    CreationTime: job.creationTime,
    ...(job.startTime === undefined ? {} : { TrainingStartTime: job.startTime }),
    ...(job.endTime === undefined ? {} : { TrainingEndTime: job.endTime }),
    TrainingJobStatus: job.status,
    TunedHyperParameters: { ...job.tuned },
    ...(job.failureReason === undefined ? {} : { FailureReason: job.failureReason }),
    ...(job.objectiveStatus === 'Succeeded' && job.objective !== undefined
      ? { FinalHyperParameterTuningJobObjectiveMetric: { MetricName: state.plan.objective.metric, Value: job.objective } }
      : {}),
    ObjectiveStatus: job.objectiveStatus,
  })

const valueOf = (s: SM.HyperParameterTrainingJobSummary): number | undefined =>
  s.ObjectiveStatus === 'Succeeded' ? s.FinalHyperParameterTuningJobObjectiveMetric?.Value : undefined

/** The best of these summaries by the objective; the earliest one wins a tie. */
const bestOf = (state: TuningState, summaries: ReadonlyArray<SM.HyperParameterTrainingJobSummary>): SM.HyperParameterTrainingJobSummary | undefined =>
  summaries.reduce<SM.HyperParameterTrainingJobSummary | undefined>((best, s) => {
    const v = valueOf(s)
    if (v === undefined) return best
    const b = best === undefined ? undefined : valueOf(best)
    return b === undefined || oriented(state.plan.objective.type, v) > oriented(state.plan.objective.type, b) ? s : best
  }, undefined)

/** The training job with the best final objective so far, if any reported one. */
export const bestTrainingJob = (state: TuningState): SM.HyperParameterTrainingJobSummary | undefined => bestOf(state, state.jobs.map(summaryOf(state)))

const counters = (jobs: ReadonlyArray<JobRecord>) => {
  const count = (p: (j: JobRecord) => boolean) => jobs.filter(p).length
  return {
    training: {
      Completed: count((j) => j.status === 'Completed'),
      InProgress: count((j) => j.status === 'InProgress' || j.status === 'Stopping'),
      RetryableError: 0,
      NonRetryableError: count((j) => j.status === 'Failed'),
      Stopped: count((j) => j.status === 'Stopped'),
    },
    objective: {
      Succeeded: count((j) => j.objectiveStatus === 'Succeeded'),
      Pending: count((j) => j.objectiveStatus === 'Pending'),
      Failed: count((j) => j.objectiveStatus === 'Failed'),
    },
  }
}

/** `DescribeHyperParameterTuningJob`'s response. `now` dates the consumed run time of a running job. */
export const describe =
  (now: Date) =>
  (state: TuningState): DescribeOutput => {
    const c = counters(state.jobs)
    const best = bestTrainingJob(state)
    const overall =
      state.plan.warmStart?.type === 'IdenticalDataAndAlgorithm'
        ? bestOf(state, [...(best === undefined ? [] : [best]), ...state.parents.flatMap((p) => p.results.trainingJobs)])
        : undefined
    const end = state.endTime ?? now
    return {
      HyperParameterTuningJobName: state.plan.name,
      HyperParameterTuningJobArn: arnOf(state.arnPrefix, 'hyper-parameter-tuning-job', state.plan.name),
      HyperParameterTuningJobConfig: state.request.HyperParameterTuningJobConfig,
      ...(state.request.TrainingJobDefinition === undefined ? {} : { TrainingJobDefinition: state.request.TrainingJobDefinition }),
      ...(state.request.TrainingJobDefinitions === undefined ? {} : { TrainingJobDefinitions: state.request.TrainingJobDefinitions }),
      HyperParameterTuningJobStatus: state.status,
      CreationTime: state.creationTime,
      ...(state.endTime === undefined ? {} : { HyperParameterTuningEndTime: state.endTime }),
      LastModifiedTime: state.lastModifiedTime,
      TrainingJobStatusCounters: c.training,
      ObjectiveStatusCounters: c.objective,
      ...(best === undefined ? {} : { BestTrainingJob: best }),
      ...(overall === undefined ? {} : { OverallBestTrainingJob: overall }),
      ...(state.request.WarmStartConfig === undefined ? {} : { WarmStartConfig: state.request.WarmStartConfig }),
      ...(state.failureReason === undefined ? {} : { FailureReason: state.failureReason }),
      TuningJobCompletionDetails: { NumberOfTrainingJobsObjectiveNotImproving: state.notImproving },
      ConsumedResources: { RuntimeInSeconds: Math.max(0, Math.round((end.getTime() - state.creationTime.getTime()) / 1000)) },
    }
  }

type Sorter = (a: SM.HyperParameterTrainingJobSummary, b: SM.HyperParameterTrainingJobSummary) => number

const text = (a: string | undefined, b: string | undefined): number => ((a ?? '') < (b ?? '') ? -1 : (a ?? '') > (b ?? '') ? 1 : 0)

const SORTS: { readonly [K in SM.TrainingJobSortByOptions]: Sorter } = {
  Name: (a, b) => text(a.TrainingJobName, b.TrainingJobName),
  CreationTime: (a, b) => (a.CreationTime?.getTime() ?? 0) - (b.CreationTime?.getTime() ?? 0) || text(a.TrainingJobName, b.TrainingJobName),
  Status: (a, b) => text(a.TrainingJobStatus, b.TrainingJobStatus) || text(a.TrainingJobName, b.TrainingJobName),
  FinalObjectiveMetricValue: (a, b) => (valueOf(a) ?? 0) - (valueOf(b) ?? 0) || text(a.TrainingJobName, b.TrainingJobName),
}

/**
 * `ListTrainingJobsForHyperParameterTuningJob`'s response over these summaries: filtered by
 * `StatusEquals`, sorted (by `Name`, ascending, unless told), at most `MaxResults` (10) a page;
 * `NextToken` is the next offset. Sorting by `FinalObjectiveMetricValue` leaves out jobs without an
 * objective value, as the cloud does.
 */
export const listSummaries =
  (input: Omit<ListInput, 'HyperParameterTuningJobName'>) =>
  (summaries: ReadonlyArray<SM.HyperParameterTrainingJobSummary>): E.Either<string, ListOutput> => {
    const from = input.NextToken === undefined ? 0 : Number(input.NextToken)
    if (!Number.isInteger(from) || from < 0) return E.left(`NextToken ${JSON.stringify(input.NextToken)} is not one this tuning job gave`)
    const size = input.MaxResults ?? 10
    if (!Number.isInteger(size) || size < 1 || size > 100) return E.left(`MaxResults must be from 1 to 100, got ${size}`)
    const sortBy = input.SortBy ?? 'Name'
    const direction = input.SortOrder === 'Descending' ? -1 : 1
    const all = summaries
      .filter((s) => input.StatusEquals === undefined || s.TrainingJobStatus === input.StatusEquals)
      .filter((s) => sortBy !== 'FinalObjectiveMetricValue' || valueOf(s) !== undefined)
      .sort((a, b) => direction * SORTS[sortBy](a, b))
    const page = all.slice(from, from + size)
    return E.right({ TrainingJobSummaries: page, ...(from + size < all.length ? { NextToken: String(from + size) } : {}) })
  }

/** The same over a running tuning job's state. */
export const listTrainingJobs =
  (input: Omit<ListInput, 'HyperParameterTuningJobName'>) =>
  (state: TuningState): E.Either<string, ListOutput> =>
    listSummaries(input)(state.jobs.map(summaryOf(state)))
