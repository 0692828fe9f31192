/**
 * Local training jobs. `CreateTrainingJob` records the job and starts it in the background;
 * `DescribeTrainingJob` answers from the record in the cloud's shape, so refs resolve the same way and
 * a later command (a resume) can describe what an earlier one ran. A job goes
 * Starting → Downloading → Training → Uploading → Completed | Failed | Stopped, each step a secondary
 * status transition with its time and message.
 *
 * The job's folder, `<local>/training-jobs/<name>/`, holds one `/opt/ml` per host (`algo-1/` …), the
 * unpacked code (`code/`) and the log (`log.txt`). Results are placed where the cloud puts them:
 * `<S3OutputPath>/<job>/output/{model,output}.tar.gz`, for `file://` and `s3://` alike.
 *
 * @since 0.2.0
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Channel, MetricData, SecondaryStatusTransition } from '@aws-sdk/client-sagemaker'
import * as E from 'fp-ts/lib/Either.js'
import type { Input, Output } from '../interpret/plan/operations.js'
import { serviceError } from '../interpret/plan/operations.js'
import { packFolder, safeExtract } from './archive.js'
import { logKey } from './backend.js'
import { stageChannel } from './channels.js'
import { alive, checkName, localArn, ownedJobs, type Handlers, type LocalContext } from './context.js'
import { hostNames, inputDataConfig, resourceConfig, writeOptMl } from './contract.js'
import type { HostExit, JobHandle, JobSpec, Mount } from './runtime/runtime.js'
import { fetchTo, joinUri, listItems, parseLocation, putFile, putFolder } from './storage.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type TrainingDescription = Output<'DescribeTrainingJob'>

/** What is kept per job: its Describe response and who runs it. */
export interface TrainingRecord {
  readonly describe: TrainingDescription
  /** The command that runs the job: a job InProgress whose owner is gone has failed. */
  readonly owner: { readonly pid: number; readonly token: string }
}

/** How a job ended, from the hosts' exits and what stopped it. */
export type Ending =
  | { readonly _tag: 'Exited'; readonly exits: ReadonlyArray<HostExit> }
  | { readonly _tag: 'StopRequested' }
  | { readonly _tag: 'MaxRuntime'; readonly seconds: number }
  | { readonly _tag: 'OwnerEnded' }

const OWNER_ENDED = 'Stopped: the sagespec command that ran this local job ended; a local job ends with its command (resume with --retry-failed to run it again)'

/** Messages of the secondary statuses, as the cloud words them. */
export const MESSAGES = {
  Starting: 'Preparing the instances for training',
  Downloading: 'Downloading input data',
  Training: 'Training image download completed. Training in progress.',
  Uploading: 'Uploading generated training model',
  Completed: 'Training job completed',
  Failed: 'Training job failed',
  Stopping: 'Stopping the training job',
  Stopped: 'Training job stopped',
  MaxRuntimeExceeded: 'Training job stopped: it exceeded its MaxRuntimeInSeconds',
} as const

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

export const jobs = (ctx: LocalContext) => ctx.records<TrainingRecord>('training-jobs')

const notFound = (name: string) => serviceError('ValidationException', `Requested resource not found: training job ${name} does not exist.`)

/** The hyperparameter's value as the framework toolkit reads it: JSON-decoded when it parses. */
export const decodeHp = (v: string | undefined): unknown => {
  if (v === undefined) return undefined
  try {
    return JSON.parse(v)
  } catch {
    return v
  }
}

/** Python's `re` syntax where it differs from JavaScript's: named groups. */
const jsRegex = (python: string): RegExp | undefined => {
  try {
    return new RegExp(python.replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>').replace(/\(\?P=([A-Za-z_][A-Za-z0-9_]*)\)/g, '\\k<$1>'))
  } catch {
    return undefined
  }
}

/** Metric definitions over log lines: each definition's last value, as the cloud's FinalMetricDataList. */
export const metricReader = (defs: ReadonlyArray<{ readonly Name?: string; readonly Regex?: string }>, now: () => Date) => {
  const compiled = defs.flatMap((d) => {
    const r = d.Regex === undefined ? undefined : jsRegex(d.Regex)
    return r === undefined || d.Name === undefined ? [] : [{ name: d.Name, regex: r }]
  })
  const last = new Map<string, MetricData>()
  return {
    line: (line: string) => {
      for (const d of compiled) {
        const m = d.regex.exec(line)
        const v = m?.[1] === undefined ? NaN : Number(m[1])
        if (Number.isFinite(v)) last.set(d.name, { MetricName: d.name, Value: v, Timestamp: now() })
      }
    },
    final: (): MetricData[] => compiled.flatMap((d) => (last.has(d.name) ? [last.get(d.name)!] : [])),
  }
}


const seconds = (from: Date | undefined, to: Date): number => (from === undefined ? 0 : Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000)))

/** The cloud's limit on FailureReason's length. */
const FAILURE_LIMIT = 1024

/** The FailureReason of a job whose hosts exited, or undefined when every host exited 0. */
export const failureReason = (exits: ReadonlyArray<HostExit>, failureFile: (host: string) => string | undefined, lastLines: ReadonlyArray<string>): string | undefined => {
  const bad = exits.find((x) => x.exitCode !== 0)
  if (bad === undefined) return undefined
  const written = exits.map((x) => failureFile(x.host)).find((t) => t !== undefined && t.trim() !== '')
  const cut = (s: string) => (s.length > FAILURE_LIMIT ? `${s.slice(0, FAILURE_LIMIT - 1)}…` : s)
  if (written !== undefined) return cut(`AlgorithmError: ${written.trim()}`)
  if (bad.oomKilled || bad.exitCode === 137)
    return cut(
      `OutOfMemoryError: ${bad.host} was killed (exit code 137)${bad.oomKilled ? ' because it ran out of memory' : ', most likely out of memory'}. Use an instance type with more memory, or process less data per host.`,
    )
  const tail = lastLines.length === 0 ? '' : `; last output: ${lastLines.join(' | ')}`
  return cut(`AlgorithmError: ${bad.host} exited with code ${bad.exitCode}${tail}`)
}

// -------------------------------------------------------------------------------------
// running
// -------------------------------------------------------------------------------------

interface Running {
  readonly stop: (why: Exclude<Ending['_tag'], 'Exited'>) => void
  readonly done: Promise<void>
}

// Like every local job, it ends with the command that runs it.
const runningOf = ownedJobs<Running>('training', (r) => r.stop('OwnerEnded'))

/** Update the job's record and wake whoever waits on it. */
const update = (ctx: LocalContext, name: string, f: (d: TrainingDescription) => TrainingDescription): TrainingDescription => {
  const r = jobs(ctx).get(name)!
  const d = f(r.describe)
  jobs(ctx).put(name, { ...r, describe: d })
  ctx.notifier.notify(name)
  return d
}

/** Move to a secondary status: the previous transition ends now. */
const enter = (ctx: LocalContext, name: string, status: string, message: string, extra: Partial<TrainingDescription> = {}): TrainingDescription =>
  update(ctx, name, (d) => {
    const at = ctx.now()
    const ts = (d.SecondaryStatusTransitions ?? []).map((t, i, all): SecondaryStatusTransition => (i === all.length - 1 && t.EndTime === undefined ? { ...t, EndTime: at } : t))
    const last: SecondaryStatusTransition = { Status: status as SecondaryStatusTransition['Status'], StartTime: at, StatusMessage: message }
    const final = ['Completed', 'Failed', 'Stopped', 'MaxRuntimeExceeded'].includes(status)
    return {
      ...d,
      ...extra,
      SecondaryStatus: status as TrainingDescription['SecondaryStatus'],
      SecondaryStatusTransitions: [...ts, final ? { ...last, EndTime: at } : last],
      LastModifiedTime: at,
    }
  })

/** The script-mode entry point, if the job has one: `sagemaker_program` and `sagemaker_submit_directory`. */
export const scriptOf = (hps: Readonly<Record<string, string>>): { readonly program: string; readonly submitDirectory?: string } | undefined => {
  const program = decodeHp(hps['sagemaker_program'])
  const dir = decodeHp(hps['sagemaker_submit_directory'])
  return typeof program === 'string' && program !== '' ? { program, ...(typeof dir === 'string' && dir !== '' ? { submitDirectory: dir } : {}) } : undefined
}

/** Instance types with accelerators: their jobs ask the runtime for GPUs. */
export const GPU_FAMILIES = /^ml\.(p\d|g\d|inf|trn|dl)/

/** The job's whole life, in the background. Never throws: every end is recorded. */
const runJob = async (ctx: LocalContext, name: string, input: Input<'CreateTrainingJob'>, stopped: Promise<Ending>): Promise<void> => {
  const dir = jobs(ctx).dir(name)
  const key = logKey('Training', name)
  const lastLines: string[] = []
  const metrics = metricReader(input.AlgorithmSpecification?.MetricDefinitions ?? [], ctx.now)
  const onLine = (host: string, line: string) => {
    ctx.logs.append(key, { host, line, at: ctx.now().getTime() })
    // Wake the executor so the line is shown now, under the status it belongs to.
    ctx.notifier.notify(name)
    metrics.line(line)
    lastLines.push(line)
    if (lastLines.length > 3) lastLines.shift()
  }
  let handle: JobHandle | undefined
  let ending: Ending | undefined
  void stopped.then((e) => {
    ending ??= e
  })
  const halted = () => ending !== undefined
  const finish = (status: 'Completed' | 'Failed' | 'Stopped', secondary: keyof typeof MESSAGES, extra: Partial<TrainingDescription> = {}) =>
    enter(ctx, name, secondary, MESSAGES[secondary], {
      TrainingJobStatus: status,
      TrainingEndTime: ctx.now(),
      ...extra,
    })
  // Stopped before its hosts started: nothing to upload.
  const stoppedEarly = () => {
    finish('Stopped', 'Stopped', ending?._tag === 'OwnerEnded' ? { FailureReason: OWNER_ENDED } : {})
  }
  try {
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    ctx.logs.toFile(key, join(dir, 'log.txt'))
    const hosts = hostNames(input.ResourceConfig?.InstanceCount ?? 1)
    const instanceType = input.ResourceConfig?.InstanceType ?? 'local'
    const channels: ReadonlyArray<Channel> = input.InputDataConfig ?? []
    const optMls = hosts.map((h) => join(dir, h))
    const hps: Record<string, string> = { ...(input.HyperParameters ?? {}) }
    const script = scriptOf(hps)

    // Code: unpacked once, shown at /opt/ml/code on every host; the toolkit then finds it there.
    const codeDir = join(dir, 'code')
    if (script?.submitDirectory !== undefined) {
      const at = parseLocation(script.submitDirectory, ctx.baseDir)
      if (at === undefined) throw new Error(`ClientError: sagemaker_submit_directory ${script.submitDirectory}: expected an s3:// or file:// URI`)
      const archive = join(dir, 'sourcedir.tar.gz')
      await fetchTo(ctx, at, archive).catch((e: unknown) => {
        throw new Error(`ClientError: cannot read the code archive ${script.submitDirectory} (${e instanceof Error ? e.message : String(e)})`)
      })
      const unpacked = await safeExtract(archive, codeDir)
      if (E.isLeft(unpacked)) throw new Error(`ClientError: code archive ${script.submitDirectory}: ${unpacked.left}`)
      hps['sagemaker_submit_directory'] = JSON.stringify('/opt/ml/code')
    } else mkdirSync(codeDir, { recursive: true })
    hosts.forEach((host, i) =>
      writeOptMl(optMls[i]!, {
        hyperParameters: hps,
        inputDataConfig: inputDataConfig(channels, input.AlgorithmSpecification?.TrainingInputMode ?? 'File'),
        resourceConfig: resourceConfig(host, hosts, instanceType),
        channels: channels.map((c) => c.ChannelName!),
      }),
    )
    if (halted()) return stoppedEarly()

    enter(ctx, name, 'Downloading', MESSAGES.Downloading)
    const mounts: Mount[][] = hosts.map(() => [{ source: codeDir, target: '/opt/ml/code', readOnly: false }])
    for (const c of channels) {
      try {
        const staged = await stageChannel(ctx, c, optMls)
        staged.forEach((s, i) => mounts[i]!.push(...s.mounts))
      } catch (e) {
        throw new Error(`ClientError: ${(e as Error).message}`)
      }
    }
    const checkpoint = input.CheckpointConfig?.S3Uri === undefined ? undefined : parseLocation(input.CheckpointConfig.S3Uri, ctx.baseDir)
    if (checkpoint !== undefined) {
      for (const it of await listItems(ctx, checkpoint)) for (const optMl of optMls) await fetchTo(ctx, it.location, join(optMl, 'checkpoints', ...it.relative.split('/')))
    }
    if (halted()) return stoppedEarly()

    const spec: JobSpec = {
      id: name,
      mode: 'train',
      image: input.AlgorithmSpecification?.TrainingImage ?? input.AlgorithmSpecification?.AlgorithmName ?? '',
      hosts: hosts.map((host, i) => ({
        host,
        optMl: optMls[i]!,
        mounts: mounts[i]!,
        env: { ...(input.Environment ?? {}), TRAINING_JOB_NAME: name, AWS_REGION: ctx.region },
      })),
      labels: { 'sagespec.job': name, ...Object.fromEntries((input.Tags ?? []).flatMap((t) => (t.Key?.startsWith('sagespec:') ? [[t.Key.replace(':', '.'), t.Value ?? '']] : []))) },
      gpu: GPU_FAMILIES.test(instanceType),
      ...(script === undefined ? {} : { script: { program: script.program, codeDir } }),
    }
    const why = await ctx.runtime.check(spec)
    if (why !== undefined) throw new Error(`ClientError: ${why}`)
    if (halted()) return stoppedEarly()

    const trainingStart = ctx.now()
    // Host processes download no image: the cloud's words minus the part that would not be true.
    enter(ctx, name, 'Training', ctx.runtime.kind === 'process' ? 'Training in progress.' : MESSAGES.Training, { TrainingStartTime: trainingStart })
    handle = await ctx.runtime.start(spec, onLine)
    const maxRuntime = input.StoppingCondition?.MaxRuntimeInSeconds
    let timer: NodeJS.Timeout | undefined
    const limit = new Promise<Ending>((res) => {
      if (maxRuntime !== undefined) timer = setTimeout(() => res({ _tag: 'MaxRuntime', seconds: maxRuntime }), maxRuntime * 1000)
    })
    const first = await Promise.race([handle.exited.then((exits): Ending => ({ _tag: 'Exited', exits })), stopped, limit])
    clearTimeout(timer)
    ending ??= first
    if (ending._tag !== 'Exited') {
      if (ending._tag !== 'OwnerEnded') enter(ctx, name, ending._tag === 'MaxRuntime' ? 'MaxRuntimeExceeded' : 'Stopping', ending._tag === 'MaxRuntime' ? MESSAGES.MaxRuntimeExceeded : MESSAGES.Stopping)
      await handle.stop(ctx.stopGraceMs)
    }
    const exits = await handle.exited
    handle = undefined

    const failureFile = (host: string) => {
      const f = join(dir, host, 'output', 'failure')
      return existsSync(f) ? readFileSync(f, 'utf8') : undefined
    }
    const reason = ending._tag === 'Exited' ? failureReason(exits, failureFile, lastLines) : undefined
    const base: Partial<TrainingDescription> = {
      FinalMetricDataList: metrics.final(),
      TrainingTimeInSeconds: seconds(trainingStart, ctx.now()),
      BillableTimeInSeconds: seconds(trainingStart, ctx.now()),
    }
    if (ending._tag === 'OwnerEnded') {
      finish('Stopped', 'Stopped', { ...base, FailureReason: OWNER_ENDED })
      return
    }
    if (reason !== undefined) {
      finish('Failed', 'Failed', { ...base, FailureReason: reason })
      return
    }

    // Uploading: the model and output data of every host, algo-1's files last so they win.
    enter(ctx, name, 'Uploading', MESSAGES.Uploading)
    const outputPath = input.OutputDataConfig?.S3OutputPath ?? ''
    const artifactsUri = joinUri(outputPath, name, 'output', 'model.tar.gz')
    const place = async (sub: string, archiveName: string) => {
      const merged = join(dir, 'merged', sub.replace('/', '-'))
      mkdirSync(merged, { recursive: true })
      for (const optMl of [...optMls].reverse()) cpSync(join(optMl, sub), merged, { recursive: true, force: true })
      const file = join(dir, archiveName)
      await packFolder(merged, file)
      const at = parseLocation(joinUri(outputPath, name, 'output', archiveName), ctx.baseDir)
      if (at === undefined) throw new Error(`ClientError: OutputDataConfig.S3OutputPath ${outputPath}: expected an s3:// or file:// URI`)
      await putFile(ctx, file, at)
    }
    await place('model', 'model.tar.gz')
    await place('output/data', 'output.tar.gz')
    if (checkpoint !== undefined) await putFolder(ctx, join(optMls[0]!, 'checkpoints'), checkpoint)
    const artifacts = { ModelArtifacts: { S3ModelArtifacts: artifactsUri } }
    if (ending._tag === 'Exited') finish('Completed', 'Completed', { ...base, ...artifacts })
    else finish('Stopped', ending._tag === 'MaxRuntime' ? 'MaxRuntimeExceeded' : 'Stopped', { ...base, ...artifacts })
  } catch (e) {
    if (handle !== undefined) await handle.stop(0).catch(() => undefined)
    const message = e instanceof Error ? e.message : String(e)
    // A user's mistake reads like the cloud's ClientError; anything else is this machine's fault.
    const reason = /^[A-Za-z]+Error: /.test(message) ? message : `InternalServerError: ${message}`
    finish(ending?._tag === 'OwnerEnded' || ending?._tag === 'StopRequested' ? 'Stopped' : 'Failed', ending?._tag === 'OwnerEnded' || ending?._tag === 'StopRequested' ? 'Stopped' : 'Failed', { FailureReason: reason.slice(0, FAILURE_LIMIT) })
  } finally {
    // The hosts' inputs are copies (or mounts): only the contract files, outputs and log stay.
    for (const h of hostNames(input.ResourceConfig?.InstanceCount ?? 1)) rmSync(join(dir, h, 'input', 'data'), { recursive: true, force: true })
    rmSync(join(dir, 'merged'), { recursive: true, force: true })
  }
}

/** A job recorded InProgress by a command that is no longer running has failed; say so once. */
const settleOrphan = async (ctx: LocalContext, name: string, r: TrainingRecord): Promise<TrainingDescription> => {
  const active = r.describe.TrainingJobStatus === 'InProgress' || r.describe.TrainingJobStatus === 'Stopping'
  if (!active || r.owner.token === ctx.owner.token || alive(r.owner.pid)) return r.describe
  await ctx.runtime.sweep({ 'sagespec.job': name }).catch(() => undefined)
  return enter(ctx, name, 'Failed', MESSAGES.Failed, {
    TrainingJobStatus: 'Failed',
    TrainingEndTime: ctx.now(),
    FailureReason: `InternalServerError: the sagespec command that ran this local job (pid ${r.owner.pid}) ended before the job finished; resume with --retry-failed to run it again`,
  })
}

// -------------------------------------------------------------------------------------
// handlers
// -------------------------------------------------------------------------------------

export const trainingHandlers: Handlers = {
  CreateTrainingJob: async (input, ctx) => {
    const name = checkName('trainingJobName', input.TrainingJobName)
    const arn = localArn(ctx, 'training-job', name)
    // Channel names become folder names: the service's pattern, and never `.` or `..`.
    for (const c of input.InputDataConfig ?? [])
      if (typeof c.ChannelName !== 'string' || !/^[A-Za-z0-9.\-_]{1,64}$/.test(c.ChannelName) || /^\.{1,2}$/.test(c.ChannelName))
        throw serviceError('ValidationException', `1 validation error detected: Value '${String(c.ChannelName)}' at 'inputDataConfig.channelName' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9\\.\\-_]+`)
    if (jobs(ctx).get(name) !== undefined) throw serviceError('ResourceInUse', `Training job names must be unique within an AWS account and region, and a training job with this name already exists (${arn})`)
    const now = ctx.now()
    const describe: TrainingDescription = {
      TrainingJobName: name,
      TrainingJobArn: arn,
      // Set when the job has uploaded them; absent from the record (and the answer) until then.
      ModelArtifacts: undefined,
      TrainingJobStatus: 'InProgress',
      SecondaryStatus: 'Starting',
      HyperParameters: input.HyperParameters,
      AlgorithmSpecification: input.AlgorithmSpecification,
      RoleArn: input.RoleArn,
      InputDataConfig: input.InputDataConfig,
      OutputDataConfig: input.OutputDataConfig,
      ResourceConfig: input.ResourceConfig,
      VpcConfig: input.VpcConfig,
      StoppingCondition: input.StoppingCondition,
      CreationTime: now,
      LastModifiedTime: now,
      SecondaryStatusTransitions: [{ Status: 'Starting', StartTime: now, StatusMessage: MESSAGES.Starting }],
      EnableNetworkIsolation: input.EnableNetworkIsolation ?? false,
      EnableInterContainerTrafficEncryption: input.EnableInterContainerTrafficEncryption ?? false,
      EnableManagedSpotTraining: input.EnableManagedSpotTraining ?? false,
      CheckpointConfig: input.CheckpointConfig,
      Environment: input.Environment,
      RetryStrategy: input.RetryStrategy,
    }
    jobs(ctx).put(name, { describe, owner: ctx.owner })
    let stop: (e: Ending) => void = () => undefined
    const stopped = new Promise<Ending>((res) => (stop = res))
    const done = runJob(ctx, name, input, stopped).finally(() => {
      runningOf(ctx).delete(name)
      ctx.notifier.notify(name)
    })
    runningOf(ctx).set(name, { stop: (why) => stop(why === 'MaxRuntime' ? { _tag: 'MaxRuntime', seconds: 0 } : { _tag: why }), done })
    return { TrainingJobArn: arn }
  },

  DescribeTrainingJob: async (input, ctx) => {
    const name = input.TrainingJobName ?? ''
    const r = /^[a-zA-Z0-9-]{1,63}$/.test(name) ? jobs(ctx).get(name) : undefined
    if (r === undefined) throw notFound(name)
    return settleOrphan(ctx, name, r)
  },

  StopTrainingJob: async (input, ctx) => {
    const name = input.TrainingJobName ?? ''
    const r = /^[a-zA-Z0-9-]{1,63}$/.test(name) ? jobs(ctx).get(name) : undefined
    if (r === undefined) throw notFound(name)
    const d = await settleOrphan(ctx, name, r)
    if (d.TrainingJobStatus !== 'InProgress') throw serviceError('ValidationException', `The request was rejected because the training job is in status ${d.TrainingJobStatus}.`)
    const mine = runningOf(ctx).get(name)
    if (mine === undefined) throw serviceError('ValidationException', `Training job ${name} is run by another sagespec command (pid ${r.owner.pid}); stop it there`)
    update(ctx, name, (x) => ({ ...x, TrainingJobStatus: 'Stopping' }))
    mine.stop('StopRequested')
    return {}
  },

  ListTrainingJobs: async (input, ctx) => {
    const all = jobs(ctx)
      .list()
      .map((r) => r.describe)
      .filter((d) => input.NameContains === undefined || (d.TrainingJobName ?? '').includes(input.NameContains))
      .filter((d) => input.StatusEquals === undefined || d.TrainingJobStatus === input.StatusEquals)
      .sort((a, b) => (b.CreationTime?.getTime() ?? 0) - (a.CreationTime?.getTime() ?? 0))
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken)
    const max = input.MaxResults ?? 10
    const page = all.slice(start, start + max)
    return {
      TrainingJobSummaries: page.map((d) => ({
        TrainingJobName: d.TrainingJobName,
        TrainingJobArn: d.TrainingJobArn,
        CreationTime: d.CreationTime,
        ...(d.TrainingEndTime === undefined ? {} : { TrainingEndTime: d.TrainingEndTime }),
        LastModifiedTime: d.LastModifiedTime,
        TrainingJobStatus: d.TrainingJobStatus,
      })),
      ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
    }
  },
}
