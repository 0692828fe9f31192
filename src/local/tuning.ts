/**
 * Local hyperparameter tuning jobs: `CreateHyperParameterTuningJob` starts the tuning driver
 * (`./tuning/driver.ts`) in the background, its training jobs real local training jobs started
 * through the training family's own handlers — named, recorded and described like any other, their
 * objective values read from their logs with the definition's metric regexes as they are printed.
 * `DescribeHyperParameterTuningJob` and `ListTrainingJobsForHyperParameterTuningJob` answer in the
 * cloud's shapes, from memory while this command runs it and from the record after
 * (`<local>/tuning-jobs/<name>.json`), which is also where a later tuning job's `WarmStartConfig`
 * finds its parents' results.
 *
 * @since 0.2.0
 */
import type * as SM from '@aws-sdk/client-sagemaker'
import * as E from 'fp-ts/lib/Either.js'
import type { Input } from '../interpret/plan/operations.js'
import { serviceError } from '../interpret/plan/operations.js'
import { logKey } from './backend.js'
import { alive, ownedJobs, type Handlers, type LocalContext } from './context.js'
import { metricReader, trainingHandlers } from './training.js'
import { tune, type MetricValue, type Runner, type TrainingOutcome, type TrainingRun, type TuningJob } from './tuning/driver.js'
import { describeErrors } from './tuning/errors.js'
import { describe as describeState, listSummaries, summaryOf, type DescribeOutput } from './tuning/outputs.js'
import type { ParentResults, TuningState } from './tuning/state.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** What is kept per tuning job: its Describe response, its training jobs, and who runs it. */
export interface TuningRecord {
  readonly describe: DescribeOutput
  readonly trainingJobs: ReadonlyArray<SM.HyperParameterTrainingJobSummary>
  /** The driver's journal: each training job's start, stop request and end, in order. */
  readonly events: TuningState['events']
  readonly owner: { readonly pid: number; readonly token: string }
}

export const tuningJobs = (ctx: LocalContext) => ctx.records<TuningRecord>('tuning-jobs')

const ENDED: ReadonlyArray<string> = ['Completed', 'Failed', 'Stopped']

const notFound = (name: string) => serviceError('ResourceNotFound', `Amazon SageMaker can't find a tuning job with name ${name}`)

// -------------------------------------------------------------------------------------
// training jobs through the training family
// -------------------------------------------------------------------------------------

const definitionOf = (r: Input<'CreateHyperParameterTuningJob'>): SM.HyperParameterTrainingJobDefinition | undefined => r.TrainingJobDefinition ?? r.TrainingJobDefinitions?.[0]

const defined = <A extends object>(a: A): A => Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as A

/** The CreateTrainingJob request SageMaker makes for one training job of a tuning job. */
export const trainingRequest = (r: Input<'CreateHyperParameterTuningJob'>, name: string, hyperParameters: Readonly<Record<string, string>>): Input<'CreateTrainingJob'> => {
  const d = definitionOf(r)
  const tuned = d?.HyperParameterTuningResourceConfig
  return defined({
    TrainingJobName: name,
    HyperParameters: { ...hyperParameters },
    AlgorithmSpecification: d?.AlgorithmSpecification as SM.AlgorithmSpecification | undefined,
    RoleArn: d?.RoleArn,
    InputDataConfig: d?.InputDataConfig,
    OutputDataConfig: d?.OutputDataConfig,
    ResourceConfig:
      d?.ResourceConfig ??
      (tuned === undefined ? undefined : defined({ InstanceType: tuned.InstanceType, InstanceCount: tuned.InstanceCount, VolumeSizeInGB: tuned.VolumeSizeInGB ?? 30 })),
    VpcConfig: d?.VpcConfig,
    StoppingCondition: d?.StoppingCondition,
    EnableNetworkIsolation: d?.EnableNetworkIsolation,
    EnableInterContainerTrafficEncryption: d?.EnableInterContainerTrafficEncryption,
    EnableManagedSpotTraining: d?.EnableManagedSpotTraining,
    CheckpointConfig: d?.CheckpointConfig,
    RetryStrategy: d?.RetryStrategy,
    Environment: d?.Environment,
    // The tuning job's tags go on every training job it launches, as in the cloud.
    Tags: r.Tags,
  })
}

const describeTraining = (ctx: LocalContext, name: string) => trainingHandlers.DescribeTrainingJob!({ TrainingJobName: name }, ctx)

/** The objective's value in a log line, by the definition's regex for it (as the training family reads metrics). */
const objectiveReader = (r: Input<'CreateHyperParameterTuningJob'>, ctx: LocalContext): ((line: string) => number | undefined) => {
  const metric = r.HyperParameterTuningJobConfig?.HyperParameterTuningJobObjective?.MetricName ?? definitionOf(r)?.TuningObjective?.MetricName
  const defs = (definitionOf(r)?.AlgorithmSpecification?.MetricDefinitions ?? []).filter((m) => m.Name === metric)
  return (line) => {
    const reader = metricReader(defs, ctx.now)
    reader.line(line)
    return reader.final()[0]?.Value
  }
}

/** Every value of the objective, as the job prints it; ends once the job has ended and its log is read. */
async function* follow(ctx: LocalContext, name: string, metric: string, valueIn: (line: string) => number | undefined): AsyncGenerator<MetricValue> {
  let cursor = 0
  for (;;) {
    // The status first: a job seen ended has printed its last line, so one more read takes it all.
    const ended = ENDED.includes((await describeTraining(ctx, name)).TrainingJobStatus ?? '')
    const got = ctx.logs.read(logKey('Training', name), cursor)
    cursor = got.cursor
    for (const l of got.lines) {
      const value = valueIn(l.line)
      if (value !== undefined) yield { name: metric, value }
    }
    if (ended) return
    await ctx.notifier.changed(name, 1000)
  }
}

const outcomeOf = async (ctx: LocalContext, name: string): Promise<TrainingOutcome> => {
  for (;;) {
    const d = await describeTraining(ctx, name)
    const status = d.TrainingJobStatus
    if (status === 'Completed' || status === 'Failed' || status === 'Stopped')
      return { status, ...(d.FinalMetricDataList === undefined ? {} : { finalMetrics: d.FinalMetricDataList }), ...(d.FailureReason === undefined ? {} : { failureReason: d.FailureReason }) }
    await ctx.notifier.changed(name, 1000)
  }
}

/** Training jobs for a tuning job: real local jobs of its definition. */
export const localRunner = (ctx: LocalContext, r: Input<'CreateHyperParameterTuningJob'>): Runner => {
  const metric = r.HyperParameterTuningJobConfig?.HyperParameterTuningJobObjective?.MetricName ?? definitionOf(r)?.TuningObjective?.MetricName ?? ''
  const valueIn = objectiveReader(r, ctx)
  return {
    startTrainingJob: async (name, hyperParameters): Promise<TrainingRun> => {
      await trainingHandlers.CreateTrainingJob!(trainingRequest(r, name, hyperParameters), ctx)
      return { metrics: follow(ctx, name, metric, valueIn), outcome: outcomeOf(ctx, name) }
    },
    stop: async (name) => {
      // A job that has just ended cannot be stopped: that is fine.
      await trainingHandlers.StopTrainingJob!({ TrainingJobName: name }, ctx).catch(() => undefined)
    },
  }
}

// -------------------------------------------------------------------------------------
// records
// -------------------------------------------------------------------------------------

// Like every local job, it ends with the command that runs it.
const runningOf = ownedJobs<TuningJob>('tuning', (j) => j.stop())

const recordOf = (ctx: LocalContext, state: TuningState): TuningRecord => ({
  describe: describeState(ctx.now())(state),
  trainingJobs: state.jobs.map(summaryOf(state)),
  events: state.events,
  owner: ctx.owner,
})


/** A record InProgress whose command is gone has failed: say so once, in the record. */
const settled = (ctx: LocalContext, name: string, r: TuningRecord): TuningRecord => {
  const active = r.describe.HyperParameterTuningJobStatus === 'InProgress' || r.describe.HyperParameterTuningJobStatus === 'Stopping'
  if (!active || r.owner.token === ctx.owner.token || alive(r.owner.pid)) return r
  const at = ctx.now()
  const failed: TuningRecord = {
    ...r,
    describe: {
      ...r.describe,
      HyperParameterTuningJobStatus: 'Failed',
      HyperParameterTuningEndTime: at,
      LastModifiedTime: at,
      FailureReason: `InternalServerError: the sagespec command that ran this local tuning job (pid ${r.owner.pid}) ended before it finished; resume with --retry-failed to run it again`,
    },
  }
  tuningJobs(ctx).put(name, failed)
  return failed
}

const parentsOf =
  (ctx: LocalContext) =>
  (name: string): ParentResults | undefined => {
    const r = tuningJobs(ctx).get(name)
    if (r === undefined) return undefined
    const statics = (r.describe.TrainingJobDefinition ?? r.describe.TrainingJobDefinitions?.[0])?.StaticHyperParameters
    return { ...(statics === undefined ? {} : { staticHyperParameters: statics }), trainingJobs: r.trainingJobs }
  }

// -------------------------------------------------------------------------------------
// handlers
// -------------------------------------------------------------------------------------

export const tuningHandlers: Handlers = {
  CreateHyperParameterTuningJob: async (input, ctx) => {
    const name = input.HyperParameterTuningJobName ?? ''
    const arnPrefix = `arn:aws:sagemaker:${ctx.region}:000000000000`
    if (/^[a-zA-Z0-9-]{1,32}$/.test(name) && tuningJobs(ctx).get(name) !== undefined)
      throw serviceError('ResourceInUse', `Hyperparameter tuning job names must be unique within an AWS account and region, and a tuning job named ${name} already exists`)
    let seen = 0
    const started = tune(input, localRunner(ctx, input), {
      parents: parentsOf(ctx),
      now: ctx.now,
      arnPrefix,
      onChange: (state) => {
        // Written on each start, stop and end (not on every metric line); told to the person running.
        if (state.events.length !== seen) {
          for (const e of state.events.slice(seen)) {
            if (e._tag === 'JobStarted') {
              const j = state.jobs.find((x) => x.name === e.name)
              ctx.say(`Tuning job ${name}: started ${e.name} (${Object.entries(j?.tuned ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')})`)
            } else if (e._tag === 'JobEnded') {
              const j = state.jobs.find((x) => x.name === e.name)
              ctx.say(`Tuning job ${name}: ${e.name} ${e.status}${j?.objective === undefined ? '' : `, ${state.plan.objective.metric} = ${j.objective}`}${j?.stopReason === undefined ? '' : ` (${j.stopReason})`}`)
            }
          }
          seen = state.events.length
          tuningJobs(ctx).put(name, recordOf(ctx, state))
        }
        ctx.notifier.notify(name)
      },
    })
    if (E.isLeft(started)) throw serviceError('ValidationException', describeErrors(started.left))
    const job = started.right
    tuningJobs(ctx).put(name, recordOf(ctx, job.state()))
    runningOf(ctx).set(name, job)
    void job.done.then(() => {
      tuningJobs(ctx).put(name, recordOf(ctx, job.state()))
      runningOf(ctx).delete(name)
      ctx.notifier.notify(name)
    })
    return { HyperParameterTuningJobArn: `${arnPrefix}:hyper-parameter-tuning-job/${name.toLowerCase()}` }
  },

  DescribeHyperParameterTuningJob: async (input, ctx) => {
    const name = input.HyperParameterTuningJobName ?? ''
    const mine = runningOf(ctx).get(name)
    if (mine !== undefined) return mine.describe()
    const r = /^[a-zA-Z0-9-]{1,32}$/.test(name) ? tuningJobs(ctx).get(name) : undefined
    if (r === undefined) throw notFound(name)
    return settled(ctx, name, r).describe
  },

  StopHyperParameterTuningJob: async (input, ctx) => {
    const name = input.HyperParameterTuningJobName ?? ''
    const mine = runningOf(ctx).get(name)
    const r = /^[a-zA-Z0-9-]{1,32}$/.test(name) ? tuningJobs(ctx).get(name) : undefined
    if (mine === undefined && r === undefined) throw notFound(name)
    const status = mine?.describe().HyperParameterTuningJobStatus ?? (r === undefined ? undefined : settled(ctx, name, r).describe.HyperParameterTuningJobStatus)
    if (status !== 'InProgress') throw serviceError('ValidationException', `The request was rejected because the tuning job is in status ${status}.`)
    if (mine === undefined) throw serviceError('ValidationException', `Tuning job ${name} is run by another sagespec command (pid ${r?.owner.pid}); stop it there`)
    mine.stop()
    return {}
  },

  ListTrainingJobsForHyperParameterTuningJob: async (input, ctx) => {
    const name = input.HyperParameterTuningJobName ?? ''
    const mine = runningOf(ctx).get(name)
    const r = mine === undefined && /^[a-zA-Z0-9-]{1,32}$/.test(name) ? tuningJobs(ctx).get(name) : undefined
    if (mine === undefined && r === undefined) throw notFound(name)
    const { HyperParameterTuningJobName: _, ...rest } = input
    const listed = mine !== undefined ? mine.listTrainingJobs(rest) : listSummaries(rest)(r?.trainingJobs ?? [])
    if (E.isLeft(listed)) throw serviceError('ValidationException', listed.left)
    return listed.right
  },
}
