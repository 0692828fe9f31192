/**
 * The executor, shared by every run target: it walks the plan, starts each step when its dependencies
 * have finished (independent steps in parallel, bounded), resolves the step's symbolic leaves from the
 * finished steps' Describe responses, sends its requests through the backend port — describing by
 * name first, so nothing is ever created twice — watches it until it ends, and records everything in
 * the run journal. AWS and local runs differ only in the backend they pass.
 *
 * @since 0.2.0
 */
import { resolve as resolvePath } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import type { Code, Ref, Param, Repack } from '../../spec/val.js'
import { showRef } from '../../spec/val.js'
import { message } from '../../spec/errors.js'
import { describePackError, gzipArchive, packCode } from '../code/pack.js'
import { nameCollisions } from '../plan/collisions.js'
import { isNotFound, isServiceError, type Input, type OperationName, type Output } from '../plan/operations.js'
import type { Plan, PlannedStep } from '../plan/plan.js'
import { DESCRIBE_OF, NAME_FIELDS, type Request } from '../plan/requests.js'
import { resolve, type Resolver } from '../plan/symbolic.js'
import { sameProgress, tuningProgress, type TuningProgress } from '../tuning/progress.js'
import { isRunId, openJournal, type Journal, type RunRecord, type SentRequest, type StepRecord, type StepStatus } from './journal.js'
import { DEFAULT_MAX_ATTEMPTS, sendRetrying, sleep as timer } from './calls.js'
import type { Backend, LogCursor, Progress } from './port.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category errors */
export type ExecError =
  | { readonly _tag: 'ServiceError'; readonly step: string; readonly op: string; readonly name: string; readonly fault: 'client' | 'server'; readonly message: string }
  | { readonly _tag: 'JobFailed'; readonly step: string; readonly physicalName: string; readonly status: string; readonly reason: string }
  | { readonly _tag: 'ResolveError'; readonly step: string; readonly message: string }
  | { readonly _tag: 'CodeError'; readonly step: string; readonly message: string }
  /** The model archive could not be repacked with its serving code. */
  | { readonly _tag: 'RepackError'; readonly step: string; readonly message: string }
  | { readonly _tag: 'PreviouslyFailed'; readonly step: string; readonly physicalName: string; readonly status: string; readonly reason: string }
  | { readonly _tag: 'EndpointConflict'; readonly step: string; readonly endpoint: string; readonly message: string }
  /** The run id is another program's run: nothing was started. */
  | { readonly _tag: 'RunIdInUse'; readonly runId: string; readonly program: string }
  /** The plan names two things of one kind alike (see `nameCollisions`): nothing was started. */
  | { readonly _tag: 'NameCollision'; readonly step: string; readonly message: string }

/** What a person or a program watching the run is told. @category model */
export type RunEvent =
  | { readonly _tag: 'RunStarted'; readonly runId: string; readonly resumed: boolean; readonly backend: string; readonly steps: ReadonlyArray<string> }
  | { readonly _tag: 'StepStarted'; readonly step: string; readonly kind: string; readonly physicalName: string; readonly attempt: number }
  | { readonly _tag: 'StepReused'; readonly step: string; readonly physicalName: string }
  | { readonly _tag: 'RequestSent'; readonly step: string; readonly op: string; readonly outcome: SentRequest['outcome'] }
  | { readonly _tag: 'StatusChanged'; readonly step: string; readonly status: string; readonly secondary?: string; readonly message?: string; readonly at: Date }
  | { readonly _tag: 'TuningProgress'; readonly step: string; readonly progress: TuningProgress; readonly at: Date }
  | { readonly _tag: 'LogLine'; readonly step: string; readonly host: string; readonly line: string }
  | { readonly _tag: 'Upload'; readonly step: string; readonly progress: Progress }
  /** A model archive repacked with its serving code (`uploaded: false`: it was there already). */
  | { readonly _tag: 'Repacked'; readonly step: string; readonly from: string; readonly to: string; readonly uploaded: boolean }
  | { readonly _tag: 'StepFinished'; readonly step: string; readonly status: StepStatus; readonly reason?: string }
  | { readonly _tag: 'Stopping'; readonly step: string; readonly physicalName: string }

export interface StepSummary {
  readonly name: string
  readonly kind: string
  readonly physicalName?: string
  /** `Pending` when the step never started (an upstream failure or an interrupt). */
  readonly status: StepStatus
  readonly reused: boolean
  readonly durationMs?: number
  /** Key outputs: model artifacts, endpoint name, best training job, final metrics… */
  readonly outputs: Readonly<Record<string, string | number>>
  readonly reason?: string
}

export interface RunResult {
  readonly runId: string
  readonly status: 'Completed' | 'Failed' | 'Interrupted'
  readonly steps: ReadonlyArray<StepSummary>
  readonly errors: ReadonlyArray<ExecError>
  readonly journalDir: string
}

export interface RunOptions {
  readonly backend: Backend
  readonly runId: string
  /** Values of the program's params (what `--param` / `--params` bound). Defaults fill the rest. */
  readonly params?: Readonly<Record<string, string | number | boolean>>
  /** @default '.sagespec' */
  readonly stateDir?: string
  /** Relative code paths are resolved against this. @default process.cwd() */
  readonly baseDir?: string
  /** What the journal calls the program (its file). */
  readonly program?: string
  /** @default 4 */
  readonly maxParallel?: number
  /** Retry steps the journal records as failed, under a new physical name. */
  readonly retryFailed?: boolean
  /** On interrupt, stop running jobs and wait until they have stopped. @default false: they go on */
  readonly stopOnInterrupt?: boolean
  /** Follow job logs. @default true */
  readonly logs?: boolean
  readonly signal?: AbortSignal
  readonly onEvent?: (e: RunEvent) => void
  /** Injected for tests; the real ones by default. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly now?: () => Date
  readonly random?: () => number
  /** Attempts per call for throttling and 5xx (see `sendRetrying`). @default the backend's `maxAttempts`, else 3 */
  readonly maxAttempts?: number
}

// -------------------------------------------------------------------------------------
// helpers
// -------------------------------------------------------------------------------------

class Abort extends Error {
  constructor() {
    super('aborted')
  }
}


class StepError extends Error {
  constructor(readonly error: ExecError) {
    super(error._tag)
  }
}

const at = (v: unknown, path: ReadonlyArray<string>): unknown =>
  path.reduce<unknown>((o, k) => (typeof o === 'object' && o !== null && Object.prototype.hasOwnProperty.call(o, k) ? (o as Record<string, unknown>)[k] : undefined), v)

/** Dates become ISO strings, as they are once journaled, so fresh and resumed runs read the same. */
const plain = <A>(v: A): A => JSON.parse(JSON.stringify(v)) as A

const field = (v: unknown, name: string | undefined): string | undefined => {
  if (name === undefined) return undefined
  const x = at(v, [name])
  return typeof x === 'string' ? x : undefined
}

/** The outputs a person wants to see in the summary, per kind. */
const keyOutputs = (kind: string, d: unknown): Record<string, string | number> => {
  const out: Record<string, string | number> = {}
  const put = (label: string, v: unknown) => {
    if (typeof v === 'string' || typeof v === 'number') out[label] = v
  }
  switch (kind) {
    case 'Training': {
      put('modelArtifacts', at(d, ['ModelArtifacts', 'S3ModelArtifacts']))
      const metrics = at(d, ['FinalMetricDataList'])
      if (Array.isArray(metrics)) for (const m of metrics) put(`metric:${String(at(m, ['MetricName']))}`, at(m, ['Value']))
      break
    }
    case 'Tuning':
      put('bestTrainingJob', at(d, ['BestTrainingJob', 'TrainingJobName']))
      put('bestObjective', at(d, ['BestTrainingJob', 'FinalHyperParameterTuningJobObjectiveMetric', 'Value']))
      break
    case 'Model':
      put('modelName', at(d, ['ModelName']))
      break
    case 'Endpoint':
      put('endpointName', at(d, ['EndpointName']))
      put('endpointConfig', at(d, ['EndpointConfigName']))
      break
    case 'Transform':
      put('outputPath', at(d, ['TransformOutput', 'S3OutputPath']))
      break
    case 'ModelPackage':
      put('modelPackageArn', at(d, ['ModelPackageArn']))
      break
  }
  return out
}

/** One line a person can act on. @category destructors */
export const describeExecError = (e: ExecError): string => {
  switch (e._tag) {
    case 'ServiceError':
      return `${e.step}: ${e.op} failed: ${e.name}: ${e.message}`
    case 'JobFailed':
      return `${e.step}: ${e.physicalName} ended ${e.status}${e.reason === '' ? '' : `: ${e.reason}`}`
    case 'ResolveError':
      return `${e.step}: ${e.message}`
    case 'CodeError':
      return `${e.step}: cannot pack code: ${e.message}`
    case 'RepackError':
      return `${e.step}: ${e.message}`
    case 'PreviouslyFailed':
      return `${e.step}: ${e.physicalName} ended ${e.status} in this run${e.reason === '' ? '' : ` (${e.reason})`}; resume with --retry-failed to try it again under a new name`
    case 'EndpointConflict':
      return `${e.step}: endpoint ${e.endpoint}: ${e.message}`
    case 'NameCollision':
      return e.message
    case 'RunIdInUse':
      return `run ${e.runId} is a run of ${e.program}: choose another --run-id`
  }
}

// -------------------------------------------------------------------------------------
// run
// -------------------------------------------------------------------------------------

/**
 * Run a plan through a backend. Resolves with the run's outcome; rejects only for programmer bugs
 * and an unusable state folder.
 *
 * @category interpreters
 */
export const run = async (plan: Plan, options: RunOptions): Promise<RunResult> => {
  const { backend } = options
  if (!isRunId(options.runId)) throw new Error(`run id "${options.runId}": expected at most 12 letters, digits and inner hyphens`)
  const collisions = nameCollisions(plan)
  if (collisions.length > 0)
    return {
      runId: options.runId,
      status: 'Failed',
      steps: plan.steps.map((p) => ({ name: p.name, kind: p.kind, status: 'Pending', reused: false, outputs: {} })),
      errors: collisions.map((e) => ({ _tag: 'NameCollision', step: e.path.replace(/^steps\./, ''), message: message(e) })),
      journalDir: '',
    }
  const now = options.now ?? (() => new Date())
  const sleep = options.sleep ?? timer
  const random = options.random ?? Math.random
  const emit = options.onEvent ?? (() => undefined)
  const maxParallel = Math.max(1, options.maxParallel ?? 4)
  const maxAttempts = Math.max(1, options.maxAttempts ?? backend.maxAttempts ?? DEFAULT_MAX_ATTEMPTS)
  const followLogs = options.logs ?? true
  const stateDir = options.stateDir ?? '.sagespec'
  const baseDir = options.baseDir ?? process.cwd()
  const iso = () => now().toISOString()

  const fresh: RunRecord = {
    version: 1,
    runId: options.runId,
    target: backend.target,
    program: options.program ?? '',
    backend: backend.describe,
    createdAt: iso(),
    updatedAt: iso(),
    status: 'Running',
    params: options.params ?? {},
    steps: plan.steps.map((s) => s.name),
    code: {},
  }
  const { journal, existing } = openJournal(stateDir, options.runId, fresh)
  // A run id names one program's run: another program's steps of the same names are not its own.
  if (existing && options.program !== undefined && journal.run().program !== '' && journal.run().program !== options.program)
    return {
      runId: options.runId,
      status: 'Failed',
      steps: plan.steps.map((p) => ({ name: p.name, kind: p.kind, status: 'Pending', reused: false, outputs: {} })),
      errors: [{ _tag: 'RunIdInUse', runId: options.runId, program: journal.run().program }],
      journalDir: resolvePath(journal.dir),
    }
  if (existing) journal.putRun({ ...journal.run(), status: 'Running', updatedAt: iso() })
  // A resumed run keeps the params it started with: the same names, the same requests.
  const params = existing ? { ...journal.run().params, ...(options.params ?? {}) } : (options.params ?? {})
  emit({ _tag: 'RunStarted', runId: options.runId, resumed: existing, backend: backend.describe, steps: plan.steps.map((s) => s.name) })

  // Waits end on the user's signal; sends to the backend do not (a create in flight completes, so
  // the journal knows what exists).
  const signal = options.signal
  const interrupted = () => signal?.aborted === true

  /** Send with the one retry policy (throttling and service faults, backoff with jitter, `Retry-After`). */
  const retry = {
    maxAttempts,
    random,
    sleep: (ms: number, s?: AbortSignal) =>
      sleep(ms, s).catch((x: unknown) => {
        throw signal?.aborted ? new Abort() : x
      }),
    ...(signal === undefined ? {} : { signal }),
  }
  const send = <K extends OperationName>(_step: string, op: K, input: Input<K>): Promise<Output<K>> => sendRetrying(backend, op, input, retry)

  const serviceError = (step: string, op: string, e: unknown): StepError => {
    if (e instanceof StepError || e instanceof Abort) return e as StepError
    if (isServiceError(e)) return new StepError({ _tag: 'ServiceError', step, op, name: e.name, fault: e.$fault ?? 'client', message: e.message })
    return new StepError({ _tag: 'ServiceError', step, op, name: 'Error', fault: 'client', message: e instanceof Error ? e.message : String(e) })
  }

  const describeByName = async (step: string, op: OperationName, input: Record<string, unknown>): Promise<unknown | undefined> => {
    try {
      return await send(step, op, input as never)
    } catch (e) {
      if (isNotFound(e)) return undefined
      throw serviceError(step, op, e)
    }
  }

  // ---- outputs of finished steps, for refs
  const outputs = new Map<string, unknown>()
  const reused = new Set<string>()
  const kinds = new Map(plan.steps.map((s) => [s.name, s.kind]))

  // ---- code archives, staged once each
  const staged = new Map<string, Promise<string>>()
  const codeUris = new Map<string, string>()
  const codeKey = (c: Code) => JSON.stringify(c)
  const stageCode = (step: string, c: Code): Promise<string> => {
    const key = codeKey(c)
    let p = staged.get(key)
    if (p === undefined) {
      p = (async () => {
        const packed = packCode(c, { cwd: baseDir })
        if (E.isLeft(packed)) throw new StepError({ _tag: 'CodeError', step, message: describePackError(packed.left) })
        const known = journal.run().code[packed.right.sha256]
        try {
          const uri = await backend.stageCode(
            { sha256: packed.right.sha256, gzip: gzipArchive(packed.right.tar), s3Prefix: c.s3Prefix },
            { onProgress: (progress) => emit({ _tag: 'Upload', step, progress }) },
          )
          if (known !== uri) journal.putRun({ ...journal.run(), code: { ...journal.run().code, [packed.right.sha256]: uri }, updatedAt: iso() })
          return uri
        } catch (e) {
          throw serviceError(step, 'StageCode', e)
        }
      })()
      staged.set(key, p)
    }
    return p.then((uri) => {
      codeUris.set(key, uri)
      return uri
    })
  }

  // ---- model archives repacked with their serving code, once each per original archive
  const repacked = new Map<string, Promise<string>>()
  const repackUris = new Map<string, string>()
  const stageRepack = async (p: PlannedStep, r: Repack, resolver: Resolver): Promise<string> => {
    const modelUri = String(resolve(r.model as never, resolver))
    const packed = packCode(r.code, { cwd: baseDir, layout: 'model-code' })
    if (E.isLeft(packed)) throw new StepError({ _tag: 'CodeError', step: p.name, message: describePackError(packed.left) })
    const key = `${modelUri}\n${packed.right.sha256}`
    let made = repacked.get(key)
    if (made === undefined) {
      made = (async () => {
        // A resumed run knows what it repacked: the original is not even downloaded again.
        const known = journal.run().repacks?.[key]
        if (known !== undefined) {
          emit({ _tag: 'Repacked', step: p.name, from: modelUri, to: known, uploaded: false })
          return known
        }
        if (backend.repackModel === undefined)
          throw new StepError({ _tag: 'RepackError', step: p.name, message: `this target (${backend.describe}) cannot repack model archives with their serving code` })
        try {
          const done = await backend.repackModel(
            { modelUri, codeTar: packed.right.tar, codeSha256: packed.right.sha256, replaceCode: r.code.sourceDir !== undefined, s3Prefix: r.code.s3Prefix },
            signal === undefined ? {} : { signal },
          )
          journal.putRun({ ...journal.run(), repacks: { ...(journal.run().repacks ?? {}), [key]: done.uri }, updatedAt: iso() })
          emit({ _tag: 'Repacked', step: p.name, from: modelUri, to: done.uri, uploaded: done.uploaded })
          return done.uri
        } catch (e) {
          if (e instanceof StepError) throw e
          throw new StepError({ _tag: 'RepackError', step: p.name, message: `cannot repack ${modelUri} with its serving code: ${e instanceof Error ? e.message : String(e)}` })
        }
      })()
      repacked.set(key, made)
    }
    const uri = await made
    repackUris.set(JSON.stringify(r), uri)
    return uri
  }

  const resolverFor = (step: PlannedStep, stamp: string): Resolver => ({
    runId: stamp,
    ref: (r: Ref<unknown>) => {
      const d = outputs.get(r.step)
      const v = at(d, r.path)
      if (typeof v === 'string' || typeof v === 'number') return v
      throw new StepError({ _tag: 'ResolveError', step: step.name, message: `${showRef(r)} has no value in the ${kinds.get(r.step) ?? ''} step's Describe response` })
    },
    param: (p: Param<unknown>) => {
      if (Object.prototype.hasOwnProperty.call(params, p.name)) return params[p.name]!
      const decl = plan.params.find((d) => d.name === p.name)
      const dflt = decl?.default ?? p.default
      if (dflt !== undefined) return dflt
      throw new StepError({ _tag: 'ResolveError', step: step.name, message: `parameter "${p.name}" has no value and no default (pass --param ${p.name}=…)` })
    },
    code: (c: Code) => {
      const uri = codeUris.get(codeKey(c))
      if (uri === undefined) throw new Error(`executor: code for ${step.name} was not staged`)
      return uri
    },
    repack: (r: Repack) => {
      const uri = repackUris.get(JSON.stringify(r))
      if (uri === undefined) throw new Error(`executor: the model archive of ${step.name} was not repacked`)
      return uri
    },
  })

  // ---- one step
  const record = (name: string, f: (s: StepRecord) => StepRecord) => {
    const s = journal.step(name)!
    journal.putStep(f(s))
  }

  const transition = (step: string, status: string, secondary?: string, message?: string) => {
    const when = now()
    record(step, (s) => ({ ...s, transitions: [...s.transitions, { status, ...(secondary === undefined ? {} : { secondary }), ...(message === undefined ? {} : { message }), at: when.toISOString() }] }))
    emit({ _tag: 'StatusChanged', step, status, ...(secondary === undefined ? {} : { secondary }), ...(message === undefined ? {} : { message }), at: when })
  }

  /** Send one Create request unless what it names exists; for endpoints, create or update. */
  const sendRequest = async (p: PlannedStep, r: Request, resolver: Resolver): Promise<void> => {
    const input = resolve(r.input as never, resolver) as Record<string, unknown>
    const nameField = NAME_FIELDS[r._tag]
    const name = String(input[nameField])
    const describeOp = DESCRIBE_OF[r._tag]
    const found = await describeByName(p.name, describeOp, { [nameField]: name })
    const put = (op: string, sent: unknown, outcome: SentRequest['outcome']) => {
      record(p.name, (s) => ({ ...s, requests: [...s.requests, { op, input: plain(sent), outcome, at: iso() }] }))
      emit({ _tag: 'RequestSent', step: p.name, op, outcome })
    }
    if (r._tag === 'CreateEndpoint' && found !== undefined) {
      const current = field(found, 'EndpointConfigName')
      if (current === input['EndpointConfigName']) return put(r._tag, input, 'adopted')
      if (r.orUpdate === undefined)
        throw new StepError({ _tag: 'EndpointConflict', step: p.name, endpoint: name, message: `exists with config ${current ?? '?'}, and this step does not update endpoints (update: false)` })
      const update = resolve(r.orUpdate as never, resolver) as Input<'UpdateEndpoint'>
      await waitSettled(p, name)
      try {
        await send(p.name, 'UpdateEndpoint', update)
      } catch (e) {
        throw serviceError(p.name, 'UpdateEndpoint', e)
      }
      return put('UpdateEndpoint', update, 'updated')
    }
    if (found !== undefined) return put(r._tag, input, 'adopted')
    try {
      await send(p.name, r._tag, input as never)
    } catch (e) {
      throw serviceError(p.name, r._tag, e)
    }
    put(r._tag, input, 'created')
  }

  /** An endpoint being created or updated cannot be updated again: wait until it settles. */
  const waitSettled = async (p: PlannedStep, name: string): Promise<void> => {
    let delay = backend.poll.initialMs
    for (;;) {
      const d = await describeByName(p.name, 'DescribeEndpoint', { EndpointName: name })
      const status = field(d, 'EndpointStatus')
      if (status === undefined || !['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'UpdateRollbackFailed'].includes(status)) return
      await pause(name, delay)
      delay = Math.min(backend.poll.maxMs, delay * 1.5)
    }
  }

  const pause = async (name: string, ms: number): Promise<void> => {
    const jittered = ms * (0.8 + 0.4 * random())
    try {
      await (backend.changed !== undefined ? backend.changed(name, jittered, signal === undefined ? {} : { signal }) : sleep(jittered, signal))
    } catch (e) {
      throw signal?.aborted ? new Abort() : e
    }
    if (signal?.aborted) throw new Abort()
  }

  /** Follow the step's Describe until it ends; returns the final response. */
  const watch = async (p: PlannedStep, resolver: Resolver, expectConfig?: string): Promise<unknown> => {
    const input = resolve(p.watch.input as never, resolver) as Record<string, unknown>
    const name = String(Object.values(input)[0])
    const logKind = p.kind === 'Training' ? 'Training' : p.kind === 'Transform' ? 'Transform' : undefined
    let cursor: LogCursor | undefined
    const drainLogs = async () => {
      if (!followLogs || logKind === undefined || backend.logs === undefined) return
      try {
        const got = await backend.logs(logKind, name, cursor)
        cursor = got.cursor
        for (const l of got.lines) emit({ _tag: 'LogLine', step: p.name, host: l.host, line: l.line })
      } catch {
        // Logs are a courtesy: a missing log group must not fail the job.
      }
    }
    // A resumed step's journal holds what was already said about it: say only what is new.
    const said = journal.step(p.name)?.transitions ?? []
    let last = [...said].reverse().find((t) => t.secondary === undefined)?.status ?? ''
    let secondarySeen = said.filter((t) => t.secondary !== undefined).length
    let progress: TuningProgress | undefined
    let delay = backend.poll.initialMs
    for (;;) {
      let d: unknown
      try {
        d = await send(p.name, p.watch.describe, input as never)
      } catch (e) {
        throw serviceError(p.name, p.watch.describe, e)
      }
      const status = p.watch.statusField === undefined ? 'Created' : (field(d, p.watch.statusField) ?? 'Unknown')
      // The status first, then what happened within it (SageMaker's secondary statuses), each once;
      // then the lines the job printed, after the status that began them.
      if (status !== last) {
        transition(p.name, status)
        last = status
        delay = backend.poll.initialMs
      }
      const transitions = at(d, ['SecondaryStatusTransitions'])
      if (Array.isArray(transitions)) {
        for (const t of transitions.slice(secondarySeen)) transition(p.name, status, String(at(t, ['Status'])), typeof at(t, ['StatusMessage']) === 'string' ? String(at(t, ['StatusMessage'])) : undefined)
        if (transitions.length > secondarySeen) delay = backend.poll.initialMs
        secondarySeen = transitions.length
      }
      // Tuning: the counters move between status changes; report each move once.
      const moved = p.kind === 'Tuning' ? tuningProgress(d as Output<'DescribeHyperParameterTuningJob'>) : undefined
      if (moved !== undefined && !sameProgress(moved, progress)) emit({ _tag: 'TuningProgress', step: p.name, progress: (progress = moved), at: now() })
      await drainLogs()
      const settled = expectConfig === undefined || field(d, 'EndpointConfigName') === expectConfig
      if (p.watch.statusField === undefined || (p.watch.done.includes(status) && settled)) {
        await drainLogs()
        return d
      }
      if (p.watch.failed.includes(status)) {
        await drainLogs()
        const reason = field(d, p.watch.reasonField) ?? ''
        const e = new StepError({ _tag: 'JobFailed', step: p.name, physicalName: name, status, reason })
        ;(e as StepError & { describe?: unknown }).describe = d
        throw e
      }
      try {
        await pause(name, delay)
      } catch (e) {
        if (e instanceof Abort && options.stopOnInterrupt && p.watch.stop !== undefined) return stopAndWait(p, resolver, name)
        throw e
      }
      delay = Math.min(backend.poll.maxMs, delay * 1.5)
    }
  }

  /** `--stop-on-interrupt`: stop the job and wait until it says so (a second Ctrl-C exits at once). */
  const stopAndWait = async (p: PlannedStep, resolver: Resolver, name: string): Promise<unknown> => {
    emit({ _tag: 'Stopping', step: p.name, physicalName: name })
    const stop = p.watch.stop!
    try {
      await send(p.name, stop.op, resolve(stop.input as never, resolver) as never)
    } catch (e) {
      if (!isServiceError(e) || e.name !== 'ValidationException') throw serviceError(p.name, stop.op, e)
    }
    const input = resolve(p.watch.input as never, resolver) as Record<string, unknown>
    let delay = backend.poll.initialMs
    for (;;) {
      const d = await send(p.name, p.watch.describe, input as never)
      const status = field(d, p.watch.statusField) ?? 'Unknown'
      if (p.watch.done.includes(status) || p.watch.failed.includes(status)) {
        transition(p.name, status)
        record(p.name, (s) => ({
          ...s,
          status: status === 'Completed' ? 'Completed' : 'Stopped',
          describe: plain(d),
          endedAt: iso(),
          ...(status === 'Completed' ? {} : { reason: 'stopped when the run was interrupted', interrupted: true }),
        }))
        emit({ _tag: 'StepFinished', step: p.name, status: status === 'Completed' ? 'Completed' : 'Stopped' })
        throw new Abort()
      }
      await (backend.changed !== undefined ? backend.changed(name, delay) : sleep(delay))
      delay = Math.min(backend.poll.maxMs, delay * 1.5)
    }
  }

  const runStep = async (p: PlannedStep): Promise<void> => {
    const prior = journal.step(p.name)
    if (prior?.status === 'Completed' && prior.describe !== undefined) {
      outputs.set(p.name, prior.describe)
      reused.add(p.name)
      emit({ _tag: 'StepReused', step: p.name, physicalName: prior.physicalName ?? '' })
      return
    }
    // A step stopped by an interrupt did not fail: a resume starts it again under a new name.
    const ended = prior !== undefined && (prior.status === 'Failed' || prior.status === 'Stopped')
    if (ended && prior.interrupted !== true && !options.retryFailed) {
      throw new StepError({ _tag: 'PreviouslyFailed', step: p.name, physicalName: prior!.physicalName ?? '', status: prior!.status, reason: prior!.reason ?? '' })
    }
    const attempt = prior === undefined ? 1 : ended ? prior.attempt + 1 : prior.attempt
    const stamp = attempt === 1 ? options.runId : `${options.runId}-r${attempt}`
    const resolver = resolverFor(p, stamp)
    // Code first: the requests name the staged archives; then the model archives they repack (the
    // steps that made them have finished: they are this step's dependencies).
    for (const a of plan.assets) if (a._tag === 'CodeArchive' && a.usedBy.includes(p.name)) await stageCode(p.name, a.code)
    for (const a of plan.assets) if (a._tag === 'Repack' && a.usedBy.includes(p.name)) await stageRepack(p, a.repack, resolver)
    const physicalName = String(resolve(p.physicalName as never, resolver))
    journal.putStep({
      name: p.name,
      kind: p.kind,
      attempt,
      physicalName,
      status: 'Running',
      requests: attempt === prior?.attempt ? prior.requests : [],
      transitions: attempt === prior?.attempt ? prior.transitions : [],
      startedAt: attempt === prior?.attempt && prior.startedAt !== undefined ? prior.startedAt : iso(),
    })
    emit({ _tag: 'StepStarted', step: p.name, kind: p.kind, physicalName, attempt })
    let expectConfig: string | undefined
    for (const r of p.requests) {
      if (interrupted()) throw new Abort()
      await sendRequest(p, r, resolver)
      if (r._tag === 'CreateEndpoint') expectConfig = String((resolve(r.input as never, resolver) as Record<string, unknown>)['EndpointConfigName'])
    }
    try {
      const d = plain(await watch(p, resolver, expectConfig))
      outputs.set(p.name, d)
      record(p.name, (s) => ({ ...s, status: 'Completed', describe: d, endedAt: iso() }))
      emit({ _tag: 'StepFinished', step: p.name, status: 'Completed' })
    } catch (e) {
      if (e instanceof StepError && e.error._tag === 'JobFailed') {
        const d = (e as StepError & { describe?: unknown }).describe
        const status: StepStatus = e.error.status === 'Stopped' ? 'Stopped' : 'Failed'
        record(p.name, (s) => ({ ...s, status, reason: (e.error as { reason: string }).reason, ...(d === undefined ? {} : { describe: plain(d) }), endedAt: iso() }))
        emit({ _tag: 'StepFinished', step: p.name, status, reason: e.error.reason })
      }
      throw e
    }
  }

  // ---- the walk: start what is ready, at most maxParallel at once; stop starting after a failure
  const errors: ExecError[] = []
  const done = new Set<string>()
  const failed = new Set<string>()
  const running = new Map<string, Promise<void>>()
  let wasInterrupted = false
  // Ready steps in a queue, each step counting its unfinished dependencies: finding the next step
  // costs the same at 10,000 steps as at 10 (a scan of the whole plan per start made runs quadratic).
  const unfinished = new Map(plan.steps.map((s) => [s.name, new Set(s.dependsOn).size]))
  const dependents = new Map<string, PlannedStep[]>()
  for (const s of plan.steps)
    for (const d of new Set(s.dependsOn)) {
      const list = dependents.get(d)
      if (list === undefined) dependents.set(d, [s])
      else list.push(s)
    }
  const queue: PlannedStep[] = plan.steps.filter((s) => unfinished.get(s.name) === 0)
  let head = 0
  const finished = (name: string) => {
    done.add(name)
    for (const s of dependents.get(name) ?? []) {
      const left = unfinished.get(s.name)! - 1
      unfinished.set(s.name, left)
      if (left === 0) queue.push(s)
    }
  }
  const ready = () => queue.slice(head, head + maxParallel)

  await new Promise<void>((settle) => {
    const pump = () => {
      if (interrupted()) wasInterrupted = true
      if (errors.length === 0 && !wasInterrupted) {
        for (const s of ready()) {
          if (running.size >= maxParallel) break
          head++
          const task = runStep(s).then(
            () => finished(s.name),
            (e: unknown) => {
              if (e instanceof Abort) wasInterrupted = true
              else if (e instanceof StepError) errors.push(e.error)
              else errors.push({ _tag: 'ServiceError', step: s.name, op: 'run', name: 'Error', fault: 'client', message: e instanceof Error ? e.message : String(e) })
              failed.add(s.name)
            },
          )
          running.set(s.name, task)
          void task.finally(() => {
            running.delete(s.name)
            pump()
          })
        }
      }
      if (running.size === 0) settle()
    }
    signal?.addEventListener('abort', () => pump(), { once: true })
    pump()
  })

  const status: RunResult['status'] = errors.length > 0 ? 'Failed' : wasInterrupted || done.size < plan.steps.length ? 'Interrupted' : 'Completed'
  journal.putRun({ ...journal.run(), status, updatedAt: iso() })
  const steps = plan.steps.map((p): StepSummary => {
    const s = journal.step(p.name)
    const started = s?.startedAt === undefined ? undefined : Date.parse(s.startedAt)
    const ended = s?.endedAt === undefined ? undefined : Date.parse(s.endedAt)
    return {
      name: p.name,
      kind: p.kind,
      ...(s?.physicalName === undefined ? {} : { physicalName: s.physicalName }),
      status: s?.status ?? 'Pending',
      reused: reused.has(p.name),
      ...(started !== undefined && ended !== undefined ? { durationMs: ended - started } : {}),
      outputs: s?.describe === undefined ? {} : keyOutputs(p.kind, s.describe),
      ...(s?.reason === undefined ? {} : { reason: s.reason }),
    }
  })
  return { runId: options.runId, status, steps, errors, journalDir: resolvePath(journal.dir) }
}

export type { Journal }
