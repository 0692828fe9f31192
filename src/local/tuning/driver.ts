/**
 * The local tuning driver: runs a `CreateHyperParameterTuningJob` request's training jobs through a
 * runner (the local backend's training, or a fake in tests) — at most `MaxParallelTrainingJobs` at
 * once, `MaxNumberOfTrainingJobs` in all — asking the strategy for each next point, judging each
 * intermediate objective value with the stopping rule (Hyperband's, or the median rule of early
 * stopping `Auto`), and ending early on the completion criteria. It keeps the state the cloud's
 * Describe and List responses are made from.
 *
 * Training job names are SageMaker's: `<tuning job>-<NNN>-<8 hex>` (at most 32 + 13 characters);
 * here the hex is a hash of the tuning job's name and the number, so a seed fixes the whole job list.
 *
 * @since 0.2.0
 */
import { createHash } from 'node:crypto'
import type * as SM from '@aws-sdk/client-sagemaker'
import * as E from 'fp-ts/lib/Either.js'
import { invalid, type TuningError } from './errors.js'
import { describe, listTrainingJobs, type DescribeOutput, type ListInput, type ListOutput } from './outputs.js'
import { planOf, type TuningPlan } from './request.js'
import { decode, encode, fromUnit, toUnit, type Unit } from './space.js'
import type { History, Progress, Trial } from './strategies/strategy.js'
import { oriented, type JobRecord, type ParentResults, type TuningEvent, type TuningState } from './state.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A metric value as the job logged it. @category model */
export interface MetricValue {
  readonly name: string
  readonly value: number
}

/** @category model */
export interface TrainingOutcome {
  readonly status: 'Completed' | 'Failed' | 'Stopped'
  /** The job's FinalMetricDataList (each metric's last value). */
  readonly finalMetrics?: ReadonlyArray<SM.MetricData>
  readonly failureReason?: string
}

/** A started training job. @category model */
export interface TrainingRun {
  /** Every metric value as it is logged, in order; ends when the job ends. */
  readonly metrics: AsyncIterable<MetricValue>
  readonly outcome: Promise<TrainingOutcome>
}

/** What runs training jobs for the tuner. @category model */
export interface Runner {
  /** Start one training job of the tuning job's definition with these hyperparameters (static and tuned). */
  readonly startTrainingJob: (name: string, hyperParameters: Readonly<Record<string, string>>) => Promise<TrainingRun>
  /** Ask a job to stop; its outcome then says `Stopped`. */
  readonly stop: (name: string) => Promise<void>
}

/** @category model */
export interface TuneOptions {
  /** Earlier tuning jobs' results, by name, for `WarmStartConfig`. */
  readonly parents?: (tuningJobName: string) => ParentResults | undefined
  /** @default () => new Date() */
  readonly now?: () => Date
  /** @default 'arn:aws:sagemaker:us-east-1:000000000000' */
  readonly arnPrefix?: string
  /** Called after every change of the state (a job started, reported, ended; the status changed). */
  readonly onChange?: (state: TuningState) => void
}

/** A running (or finished) local tuning job. @category model */
export interface TuningJob {
  readonly name: string
  readonly state: () => TuningState
  readonly describe: () => DescribeOutput
  readonly listTrainingJobs: (input?: Omit<ListInput, 'HyperParameterTuningJobName'>) => E.Either<string, ListOutput>
  /** StopHyperParameterTuningJob: no new jobs; running ones are stopped. */
  readonly stop: () => void
  /** Resolves with the final Describe response once every training job has ended. */
  readonly done: Promise<DescribeOutput>
}

/** `<tuning job>-<NNN>-<8 hex>`, numbered from 1. */
export const trainingJobName = (tuningJobName: string, index: number): string =>
  `${tuningJobName}-${String(index + 1).padStart(3, '0')}-${createHash('sha256').update(`${tuningJobName}/${index + 1}`).digest('hex').slice(0, 8)}`

// -------------------------------------------------------------------------------------
// warm start
// -------------------------------------------------------------------------------------

const parentTrials = (plan: TuningPlan, parents: TuningState['parents']): ReadonlyArray<Trial> =>
  parents.flatMap(({ results }) =>
    results.trainingJobs.flatMap((s): ReadonlyArray<Trial> => {
      const value = s.ObjectiveStatus === 'Succeeded' ? s.FinalHyperParameterTuningJobObjectiveMetric?.Value : undefined
      const point = decode(plan.space)(s.TunedHyperParameters ?? {}, results.staticHyperParameters)
      // A point outside this job's ranges cannot be placed in its cube: it informs nothing here.
      return value === undefined || point === undefined ? [] : [{ point, unit: toUnit(plan.space)(point), status: 'Succeeded', score: oriented(plan.objective.type, value) }]
    }),
  )

const resolveParents = (plan: TuningPlan, options: TuneOptions): E.Either<ReadonlyArray<TuningError>, TuningState['parents']> => {
  const names = plan.warmStart?.parents ?? []
  const found = names.map((name) => ({ name, results: options.parents?.(name) }))
  const missing = found.filter((p) => p.results === undefined)
  return missing.length > 0
    ? E.left(
        missing.map((p) => ({
          _tag: 'ParentNotFound' as const,
          path: 'WarmStartConfig.ParentHyperParameterTuningJobs',
          message: `no earlier local tuning job named ${p.name}: run it first, or remove it from the parents`,
        })),
      )
    : E.right(found.map((p) => ({ name: p.name, results: p.results as ParentResults })))
}

// -------------------------------------------------------------------------------------
// driver
// -------------------------------------------------------------------------------------

type Unsequenced = TuningEvent extends infer T ? (T extends TuningEvent ? Omit<T, 'seq'> : never) : never

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/**
 * Starts a tuning job: its training jobs run in the background; the returned handle answers Describe
 * and List at any moment. A request SageMaker would refuse is refused here, with every reason.
 */
export const tune = (request: SM.CreateHyperParameterTuningJobCommandInput, runner: Runner, options: TuneOptions = {}): E.Either<ReadonlyArray<TuningError>, TuningJob> => {
  const planned = planOf(request)
  if (E.isLeft(planned)) return planned
  const plan = planned.right
  const parents = resolveParents(plan, options)
  if (E.isLeft(parents)) return parents
  const now = options.now ?? (() => new Date())
  const created = now()
  let state: TuningState = {
    request,
    plan,
    arnPrefix: options.arnPrefix ?? 'arn:aws:sagemaker:us-east-1:000000000000',
    status: 'InProgress',
    creationTime: created,
    lastModifiedTime: created,
    jobs: [],
    parents: parents.right,
    notImproving: 0,
    events: [],
  }
  const warm = parentTrials(plan, state.parents)
  if (plan.warmStart !== undefined && warm.length === 0 && state.parents.some((p) => p.results.trainingJobs.length > 0))
    return E.left([invalid('WarmStartConfig', "none of the parents' training jobs lies inside this job's ranges: widen the ranges, or leave the warm start out")])

  let seq = 0
  const set = (next: TuningState) => {
    state = next
    options.onChange?.(state)
  }
  const event = (e: Unsequenced): ReadonlyArray<TuningEvent> => [...state.events, { ...e, seq: ++seq } as TuningEvent]
  const update = (index: number, f: (j: JobRecord) => JobRecord) =>
    set({ ...state, lastModifiedTime: now(), jobs: state.jobs.map((j) => (j.index === index ? f(j) : j)) })
  const job = (index: number): JobRecord => state.jobs[index] as JobRecord
  const orient = (v: number) => oriented(plan.objective.type, v)

  const history = (): History => ({
    trials: [
      ...warm,
      ...state.jobs.map(
        (j): Trial => ({
          point: j.point,
          unit: j.unit,
          status: j.objectiveStatus,
          ...(j.objectiveStatus === 'Succeeded' && j.objective !== undefined ? { score: orient(j.objective) } : {}),
        }),
      ),
    ],
    proposed: state.jobs.length,
  })

  let halting: 'Stopped' | 'Completed' | undefined
  let exhausted = false
  const running = new Map<number, Promise<void>>()

  const requestStop = async (index: number, reason: string) => {
    const j = job(index)
    if (j.status !== 'InProgress') return
    set({ ...state, lastModifiedTime: now(), events: event({ _tag: 'JobStopRequested', name: j.name, reason }), jobs: state.jobs.map((x) => (x.index === index ? { ...x, status: 'Stopping', stopReason: reason } : x)) })
    await runner.stop(j.name).catch(() => undefined)
  }

  const halt = (status: 'Stopped' | 'Completed', reason: string) => {
    if (halting !== undefined || state.endTime !== undefined) return
    halting = status
    if (status === 'Stopped') set({ ...state, status: 'Stopping', lastModifiedTime: now(), events: event({ _tag: 'StatusChanged', status: 'Stopping', reason }) })
    for (const index of running.keys()) void requestStop(index, reason)
  }

  const judge = (index: number) => {
    const rule = plan.stopRule
    const j = job(index)
    if (rule === undefined || j.status !== 'InProgress') return
    const progress = (x: JobRecord): Progress => ({ index: x.index, scores: x.intermediate.map(orient) })
    const verdict = rule(progress(j), state.jobs.filter((x) => x.index !== index).map(progress))
    if (verdict._tag === 'Stop') void requestStop(index, verdict.reason)
  }

  const criteria = (ended: JobRecord) => {
    if (ended.objectiveStatus !== 'Succeeded' || ended.objective === undefined) return
    const score = orient(ended.objective)
    const before = state.jobs.filter((j) => j.index !== ended.index && j.objectiveStatus === 'Succeeded' && j.objective !== undefined && j.endTime !== undefined)
    const best = before.length === 0 ? undefined : Math.max(...before.map((j) => orient(j.objective as number)))
    // BestObjectiveNotImproving counts jobs that did not beat the best by 1% or more.
    const improved = best === undefined || score >= best + 0.01 * Math.abs(best)
    set({ ...state, notImproving: improved ? 0 : state.notImproving + 1 })
    if (plan.target !== undefined && score >= orient(plan.target)) halt('Completed', `a training job reached the target objective value ${plan.target}`)
    else if (plan.notImproving !== undefined && state.notImproving >= plan.notImproving) halt('Completed', `${plan.notImproving} training jobs in a row did not improve the best objective`)
  }

  const end = (index: number, outcome: TrainingOutcome) => {
    const j = job(index)
    const final = outcome.finalMetrics?.find((m) => m.MetricName === plan.objective.metric)?.Value
    const objective = final ?? j.intermediate[j.intermediate.length - 1]
    const ok = outcome.status !== 'Failed' && objective !== undefined
    const failureReason =
      outcome.status === 'Failed'
        ? (outcome.failureReason ?? 'the training job failed')
        : objective === undefined
          ? `the training job did not emit the objective metric ${plan.objective.metric}`
          : undefined
    const ended: JobRecord = {
      ...j,
      status: outcome.status,
      objectiveStatus: ok ? 'Succeeded' : 'Failed',
      ...(objective === undefined ? {} : { objective }),
      ...(failureReason === undefined ? {} : { failureReason }),
      endTime: now(),
    }
    set({ ...state, lastModifiedTime: now(), events: event({ _tag: 'JobEnded', name: j.name, status: outcome.status }), jobs: state.jobs.map((x) => (x.index === index ? ended : x)) })
    criteria(ended)
  }

  const runJob = async (index: number, hyperParameters: Record<string, string>) => {
    const name = job(index).name
    let started: TrainingRun
    try {
      started = await runner.startTrainingJob(name, hyperParameters)
    } catch (e) {
      end(index, { status: 'Failed', failureReason: message(e) })
      return
    }
    update(index, (j) => ({ ...j, startTime: now() }))
    if (halting !== undefined) void requestStop(index, 'the tuning job is ending')
    try {
      for await (const m of started.metrics) {
        if (m.name !== plan.objective.metric || !Number.isFinite(m.value)) continue
        update(index, (j) => ({ ...j, intermediate: [...j.intermediate, m.value] }))
        judge(index)
      }
    } catch {
      // The outcome says how the job ended.
    }
    end(index, await started.outcome.catch((e: unknown): TrainingOutcome => ({ status: 'Failed', failureReason: message(e) })))
  }

  const launch = (unit: Unit) => {
    const index = state.jobs.length
    const name = trainingJobName(plan.name, index)
    const point = fromUnit(plan.space)(unit)
    const record: JobRecord = {
      index,
      name,
      point,
      unit: toUnit(plan.space)(point),
      tuned: encode(plan.space)(point),
      status: 'InProgress',
      objectiveStatus: 'Pending',
      intermediate: [],
      creationTime: now(),
    }
    set({ ...state, lastModifiedTime: now(), jobs: [...state.jobs, record], events: event({ _tag: 'JobStarted', name }) })
    const task = runJob(index, { ...plan.space.statics, ...record.tuned }).then(() => {
      running.delete(index)
    })
    running.set(index, task)
  }

  // MaxRuntimeInSeconds bounds the whole tuning job: past it nothing starts and running jobs stop.
  const deadline = plan.maxRuntimeSeconds === undefined ? undefined : created.getTime() + plan.maxRuntimeSeconds * 1000
  const overtime = () => halt('Completed', `the tuning job reached its MaxRuntimeInSeconds (${plan.maxRuntimeSeconds})`)
  const timer = deadline === undefined ? undefined : setTimeout(overtime, Math.max(0, deadline - now().getTime()))
  timer?.unref()

  const fill = () => {
    if (deadline !== undefined && now().getTime() >= deadline) overtime()
    while (halting === undefined && !exhausted && running.size < plan.maxParallel && state.jobs.length < plan.maxJobs) {
      const [unit] = plan.strategy.next(1)(history(), plan.rng)
      if (unit === undefined) exhausted = true
      else launch(unit)
    }
  }

  const finish = (): DescribeOutput => {
    clearTimeout(timer)
    const own = state.jobs.filter((j) => j.objectiveStatus === 'Succeeded')
    const firstFailure = state.jobs.find((j) => j.failureReason !== undefined)?.failureReason
    const status: SM.HyperParameterTuningJobStatus = halting === 'Stopped' ? 'Stopped' : own.length > 0 ? 'Completed' : 'Failed'
    const failureReason = status === 'Failed' ? `no training job reported the objective metric ${plan.objective.metric}${firstFailure === undefined ? '' : `; the first failure: ${firstFailure}`}` : undefined
    const at = now()
    set({
      ...state,
      status,
      ...(failureReason === undefined ? {} : { failureReason }),
      endTime: at,
      lastModifiedTime: at,
      events: event({ _tag: 'StatusChanged', status, ...(failureReason === undefined ? {} : { reason: failureReason }) }),
    })
    return describe(at)(state)
  }

  const loop = async (): Promise<DescribeOutput> => {
    fill()
    while (running.size > 0) {
      await Promise.race(running.values())
      fill()
    }
    return finish()
  }

  // Start on the next tick, so the caller holds the handle before the first change is reported.
  const done = Promise.resolve().then(loop)
  return E.right({
    name: plan.name,
    state: () => state,
    describe: () => describe(now())(state),
    listTrainingJobs: (input = {}) => listTrainingJobs(input)(state),
    stop: () => halt('Stopped', 'StopHyperParameterTuningJob'),
    done,
  })
}
