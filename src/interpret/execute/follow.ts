/**
 * Following a job that already exists (the reference SDK's `Estimator.attach`): poll its Describe
 * with backoff until it ends, telling each status and secondary-status transition once, a tuning
 * job's progress on each change, and its log lines — the same events a run emits, so the same
 * printer shows them.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { DescribeOperation, OperationName } from '../plan/operations.js'
import { sameProgress, tuningProgress, type TuningProgress } from '../tuning/progress.js'
import { backoff, call, pause, type CallError, type WaitOptions } from './calls.js'
import type { RunEvent } from './executor.js'
import type { Backend, LogCursor, LogKind } from './port.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type JobKind = 'Training' | 'Tuning' | 'Transform'

interface JobWatch {
  readonly describe: DescribeOperation
  readonly nameField: string
  readonly statusField: string
  readonly done: ReadonlyArray<string>
  readonly failed: ReadonlyArray<string>
  readonly logs?: LogKind
}

/** How each kind of job is watched (the plan's watches, by job name instead of by step). */
export const JOBS: { readonly [K in JobKind]: JobWatch } = {
  Training: { describe: 'DescribeTrainingJob', nameField: 'TrainingJobName', statusField: 'TrainingJobStatus', done: ['Completed'], failed: ['Failed', 'Stopped'], logs: 'Training' },
  Tuning: {
    describe: 'DescribeHyperParameterTuningJob',
    nameField: 'HyperParameterTuningJobName',
    statusField: 'HyperParameterTuningJobStatus',
    done: ['Completed'],
    failed: ['Failed', 'Stopped'],
  },
  Transform: { describe: 'DescribeTransformJob', nameField: 'TransformJobName', statusField: 'TransformJobStatus', done: ['Completed'], failed: ['Failed', 'Stopped'], logs: 'Transform' },
}

export const JOB_KINDS: ReadonlyArray<JobKind> = ['Training', 'Tuning', 'Transform']

export type FollowEvent = Extract<RunEvent, { readonly _tag: 'StatusChanged' | 'TuningProgress' | 'LogLine' }>

export interface FollowOptions extends WaitOptions {
  /** What events call the job (their `step`). @default the job's name */
  readonly step?: string
  /** Follow its logs where the backend has them. @default true */
  readonly logs?: boolean
  readonly onEvent?: (e: FollowEvent) => void
  readonly now?: () => Date
}

export interface Followed {
  readonly kind: JobKind
  readonly status: string
  readonly completed: boolean
  readonly reason?: string
  /** The last Describe response. */
  readonly describe: Record<string, unknown>
}

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

const describeJob = (backend: Backend, kind: JobKind, name: string, signal?: AbortSignal) =>
  call(backend, JOBS[kind].describe as OperationName, { [JOBS[kind].nameField]: name } as never, signal) as Promise<E.Either<CallError, Record<string, unknown>>>

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
const when = (v: unknown): Date | undefined => (v instanceof Date ? v : typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : undefined)

// -------------------------------------------------------------------------------------
// operations
// -------------------------------------------------------------------------------------

/** Which kind of job `name` is: the first of `kinds` whose Describe knows it. */
export const findJob = async (backend: Backend, name: string, kinds: ReadonlyArray<JobKind> = JOB_KINDS, signal?: AbortSignal): Promise<E.Either<CallError, JobKind>> => {
  let last: CallError | undefined
  for (const kind of kinds) {
    const d = await describeJob(backend, kind, name, signal)
    if (E.isRight(d)) return E.right(kind)
    if (d.left._tag !== 'NotFound') return d
    last = d.left
  }
  return E.left(last ?? { _tag: 'NotFound', op: 'DescribeTrainingJob', message: name })
}

/** Follow `name` until it ends; resolves with its final status. The signal ends the wait (the job goes on). */
export const follow = async (backend: Backend, kind: JobKind, name: string, options: FollowOptions = {}): Promise<E.Either<CallError, Followed>> => {
  const job = JOBS[kind]
  const step = options.step ?? name
  const emit = options.onEvent ?? (() => undefined)
  const now = options.now ?? (() => new Date())
  const { signal } = options
  const delays = backoff(backend, options.random)

  let cursor: LogCursor | undefined
  const drainLogs = async () => {
    if (options.logs === false || job.logs === undefined || backend.logs === undefined) return
    try {
      const got = await backend.logs(job.logs, name, cursor, signal === undefined ? {} : { signal })
      cursor = got.cursor
      for (const l of got.lines) emit({ _tag: 'LogLine', step, host: l.host, line: l.line })
    } catch {
      // Logs are a courtesy: a missing log group must not end the follow.
    }
  }

  let last = ''
  let secondarySeen = 0
  let progress: TuningProgress | undefined
  for (;;) {
    if (signal?.aborted) return E.left({ _tag: 'Interrupted' })
    const got = await describeJob(backend, kind, name, signal)
    if (E.isLeft(got)) return got
    const d = got.right
    const status = str(d[job.statusField]) ?? 'Unknown'
    // The status first, then what it went through: a person reads the job's state, then the detail.
    if (status !== last) {
      emit({ _tag: 'StatusChanged', step, status, at: now() })
      last = status
      delays.reset()
    }
    const transitions = d['SecondaryStatusTransitions']
    if (Array.isArray(transitions) && transitions.length > secondarySeen) {
      for (const t of transitions.slice(secondarySeen) as ReadonlyArray<Record<string, unknown>>) {
        const message = str(t['StatusMessage'])
        emit({ _tag: 'StatusChanged', step, status, secondary: String(t['Status']), ...(message === undefined ? {} : { message }), at: when(t['StartTime']) ?? now() })
      }
      secondarySeen = transitions.length
      delays.reset()
    }
    const moved = kind === 'Tuning' ? tuningProgress(d) : undefined
    if (moved !== undefined && !sameProgress(moved, progress)) emit({ _tag: 'TuningProgress', step, progress: (progress = moved), at: now() })
    await drainLogs()
    if (job.done.includes(status) || job.failed.includes(status)) {
      const reason = str(d['FailureReason'])
      return E.right({ kind, status, completed: job.done.includes(status), describe: d, ...(reason === undefined || reason === '' ? {} : { reason }) })
    }
    if (!(await pause(backend, name, delays.next(), options))) return E.left({ _tag: 'Interrupted' })
  }
}
