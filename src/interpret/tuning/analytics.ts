/**
 * Tuning analytics (the reference SDK's `HyperparameterTuningJobAnalytics`): every training job a
 * tuning job launched, with the hyperparameters it tried and the objective it reached, best first by
 * the tuning job's own objective type — as data, as a table and as CSV. `plot.ts` draws it.
 *
 * Reading is effectful (Describe, then every page of ListTrainingJobsForHyperParameterTuningJob);
 * everything after `fromResponses` is pure.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { encodeCsv } from '../../frameworks/serializers.js'
import type { Output } from '../plan/operations.js'
import { allPages, call, type CallError } from '../execute/calls.js'
import type { Backend } from '../execute/port.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type ObjectiveType = 'Maximize' | 'Minimize'

export interface TrainingJobResult {
  readonly name: string
  readonly status: string
  /** The final objective; absent while running, and for jobs that failed before reporting it. */
  readonly objective?: number
  readonly startedAt?: Date
  readonly endedAt?: Date
  readonly hyperParameters: Readonly<Record<string, string>>
}

/** @category model */
export interface TuningAnalytics {
  readonly tuningJob: string
  readonly objective: { readonly metric: string; readonly type: ObjectiveType }
  /** The tuned hyperparameters' names, sorted: the table's and the CSV's columns. */
  readonly hyperParameterNames: ReadonlyArray<string>
  /** Best first; jobs without an objective last, by name. */
  readonly jobs: ReadonlyArray<TrainingJobResult>
}

/** @category errors */
export type AnalyticsError = CallError | { readonly _tag: 'NoObjective'; readonly tuningJob: string }

export type TuningDescription = Partial<Output<'DescribeHyperParameterTuningJob'>>
export type TrainingJobSummary = NonNullable<Output<'ListTrainingJobsForHyperParameterTuningJob'>['TrainingJobSummaries']>[number]

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** Times come as Dates from the SDK and as ISO strings from a journal or a local backend. */
const toDate = (v: Date | string | undefined): Date | undefined => {
  if (v === undefined) return undefined
  const d = v instanceof Date ? v : new Date(v)
  return Number.isNaN(d.getTime()) ? undefined : d
}

/** The service quotes categorical values (`"gbtree"`); the table shows the value. */
const unquote = (v: string): string => {
  if (v.length < 2 || !v.startsWith('"') || !v.endsWith('"')) return v
  try {
    const u = JSON.parse(v) as unknown
    return typeof u === 'string' ? u : v
  } catch {
    return v
  }
}

const objectiveOf = (d: TuningDescription): TuningAnalytics['objective'] | undefined => {
  const o = d.HyperParameterTuningJobConfig?.HyperParameterTuningJobObjective ?? d.TrainingJobDefinition?.TuningObjective ?? d.TrainingJobDefinitions?.[0]?.TuningObjective
  return o?.MetricName === undefined || (o.Type !== 'Maximize' && o.Type !== 'Minimize') ? undefined : { metric: o.MetricName, type: o.Type }
}

const rangeNames = (d: TuningDescription): ReadonlyArray<string> =>
  [d.HyperParameterTuningJobConfig?.ParameterRanges, d.TrainingJobDefinition?.HyperParameterRanges, ...(d.TrainingJobDefinitions ?? []).map((t) => t.HyperParameterRanges)].flatMap((r) =>
    [...(r?.ContinuousParameterRanges ?? []), ...(r?.IntegerParameterRanges ?? []), ...(r?.CategoricalParameterRanges ?? [])].flatMap((x) => (x.Name === undefined ? [] : [x.Name])),
  )

/** Best first by `type`; ties and jobs without an objective by name, so the order never varies. */
export const bestFirst =
  (type: ObjectiveType) =>
  (a: TrainingJobResult, b: TrainingJobResult): number => {
    if (a.objective !== undefined && b.objective !== undefined && a.objective !== b.objective) return type === 'Maximize' ? b.objective - a.objective : a.objective - b.objective
    if (a.objective === undefined && b.objective !== undefined) return 1
    if (a.objective !== undefined && b.objective === undefined) return -1
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  }

/** The analytics of a tuning job from its Describe response and its training jobs' summaries (pure). */
export const fromResponses = (d: TuningDescription, summaries: ReadonlyArray<TrainingJobSummary>): E.Either<AnalyticsError, TuningAnalytics> => {
  const tuningJob = d.HyperParameterTuningJobName ?? ''
  const objective = objectiveOf(d)
  if (objective === undefined) return E.left({ _tag: 'NoObjective', tuningJob })
  const jobs = summaries.map((s): TrainingJobResult => {
    const value = s.FinalHyperParameterTuningJobObjectiveMetric?.Value
    const startedAt = toDate(s.TrainingStartTime)
    const endedAt = toDate(s.TrainingEndTime)
    return {
      name: s.TrainingJobName ?? '',
      status: s.TrainingJobStatus ?? '',
      ...(typeof value === 'number' && Number.isFinite(value) ? { objective: value } : {}),
      ...(startedAt === undefined ? {} : { startedAt }),
      ...(endedAt === undefined ? {} : { endedAt }),
      hyperParameters: Object.fromEntries(Object.entries(s.TunedHyperParameters ?? {}).map(([k, v]) => [k, unquote(v)])),
    }
  })
  const names = [...new Set([...rangeNames(d), ...jobs.flatMap((j) => Object.keys(j.hyperParameters))])].sort()
  return E.right({ tuningJob, objective, hyperParameterNames: names, jobs: [...jobs].sort(bestFirst(objective.type)) })
}

/**
 * Read a tuning job's analytics through the backend: its objective from DescribeHyperParameterTuningJob,
 * its training jobs from every page of ListTrainingJobsForHyperParameterTuningJob.
 *
 * @category interpreters
 */
export const tuningAnalytics = async (backend: Backend, tuningJob: string, signal?: AbortSignal): Promise<E.Either<AnalyticsError, TuningAnalytics>> => {
  const d = await call(backend, 'DescribeHyperParameterTuningJob', { HyperParameterTuningJobName: tuningJob }, signal)
  if (E.isLeft(d)) return d
  const summaries = await allPages(backend, 'ListTrainingJobsForHyperParameterTuningJob', { HyperParameterTuningJobName: tuningJob, MaxResults: 100 }, (p) => p.TrainingJobSummaries, signal)
  if (E.isLeft(summaries)) return summaries
  return fromResponses(d.right, summaries.right)
}

// -------------------------------------------------------------------------------------
// destructors
// -------------------------------------------------------------------------------------

/** Seconds between start and end, where both are known. */
export const elapsedSeconds = (j: TrainingJobResult): number | undefined =>
  j.startedAt === undefined || j.endedAt === undefined ? undefined : (j.endedAt.getTime() - j.startedAt.getTime()) / 1000

const CSV_HEAD = ['TrainingJobName', 'TrainingJobStatus', 'FinalObjectiveValue', 'TrainingStartTime', 'TrainingEndTime', 'TrainingElapsedTimeSeconds'] as const

/**
 * One row per training job, best first: the fixed columns, then the hyperparameters by name. Fields
 * are quoted as RFC 4180 says (`"` doubled, fields with `,` `"` or a line end in quotes); rows end
 * with `\n`.
 */
export const toCsv = (a: TuningAnalytics): string => {
  const rows = a.jobs.map((j) => [
    j.name,
    j.status,
    j.objective ?? '',
    j.startedAt?.toISOString() ?? '',
    j.endedAt?.toISOString() ?? '',
    elapsedSeconds(j) ?? '',
    ...a.hyperParameterNames.map((n) => j.hyperParameters[n] ?? ''),
  ])
  return `${encodeCsv([[...CSV_HEAD, ...a.hyperParameterNames], ...rows])}\n`
}

/** Rows under a header, columns padded to their widest cell. */
const columns = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(head), ...rows.map(line)].join('\n')
}

/** The table `sagespec tuning analytics` prints: rank, job, status, objective, hyperparameters, time. */
export const toTable = (a: TuningAnalytics): string => {
  const scored = a.jobs.filter((j) => j.objective !== undefined).length
  const head = `Tuning job ${a.tuningJob}: ${a.jobs.length} training job${a.jobs.length === 1 ? '' : 's'}, ${scored} with ${a.objective.metric} (${a.objective.type === 'Maximize' ? 'higher' : 'lower'} is better)`
  if (a.jobs.length === 0) return head
  const rows = a.jobs.map((j, i) => [
    j.objective === undefined ? '-' : String(i + 1),
    j.name,
    j.status,
    j.objective === undefined ? '-' : String(j.objective),
    ...a.hyperParameterNames.map((n) => j.hyperParameters[n] ?? '-'),
    elapsedSeconds(j) === undefined ? '-' : `${elapsedSeconds(j)}s`,
  ])
  return `${head}\n${columns(['#', 'TRAINING JOB', 'STATUS', a.objective.metric, ...a.hyperParameterNames, 'TIME'], rows)}`
}
