/**
 * `sagespec run <program> --target aws|local`: validate, plan, check what the target supports, then
 * run through the shared executor with the target's backend. A thin consumer of the library's `run`:
 * it turns events into lines, Ctrl-C into an abort, and the result into a summary and an exit code.
 *
 * @since 0.2.0
 */
import { readFileSync } from 'node:fs'
import { message } from '../spec/errors.js'
import { describeExecError, run, type RunEvent, type RunResult } from '../interpret/execute/executor.js'
import { isRunId, newRunId } from '../interpret/execute/journal.js'
import { showProgress } from '../interpret/tuning/progress.js'
import * as E from 'fp-ts/lib/Either.js'
import { deleteEndpoint } from '../interpret/endpoints/manage.js'
import { call, describeCallError } from '../interpret/execute/calls.js'
import type { Backend } from '../interpret/execute/port.js'
import { compile, type Io } from './compile.js'
import { defaultIo } from './io.js'
import { loadTarget, readTargetFlags, TARGET_FLAGS } from './targets.js'
import { lineView, ttyView } from './view.js'
import { parseCommand } from './args.js'

export const usage = `Usage: sagespec run <program.ts|program.json> --target aws|local [options]

Runs the program: every step in dependency order, independent steps in parallel. Each run has an id;
its journal is .sagespec/runs/<run-id>/. Running a run id again creates nothing that exists already.

Options:
  --target aws|local          where to run (required)
  --runtime docker|process    local only: containers, or host processes (default: docker when an
                              engine answers, else process)
  --run-id ID                 the run's id (default: a new one); at most 12 letters, digits, hyphens
  --resume ID                 continue run ID: finished steps are reused, running ones attached to
  --retry-failed              with --resume: run failed steps again, under a new name
  --max-parallel N            steps at once (default 4)
  -p, --param name=value      bind a program parameter (repeatable)
  --params FILE               bind parameters from a JSON object
  --no-logs                   do not follow job logs
  --format text|json          the summary at the end (json: for scripts, on standard output)
  --stop-on-interrupt         on Ctrl-C, stop running jobs (default: they keep running; resume later)
  --state-dir DIR             where journals and local state live (default .sagespec)
  --profile NAME              AWS: a profile of the shared config files
  --region REGION             AWS: the region (default: the SDK's resolution)
  --max-attempts N            AWS: attempts per call, throttling and faults included (default 3)
  --upload-local-data S3URI   AWS: upload file:// channels under this prefix and use them from there
  --teardown                  at the end, delete the endpoints, endpoint configs and models the run
                              deployed (jobs' artifacts stay)`

const time = (d: Date) => d.toISOString().slice(11, 19)

/** One line per event a person cares about. */
export const eventLine = (e: RunEvent, now: () => Date = () => new Date()): string | undefined => {
  switch (e._tag) {
    case 'RunStarted':
      return `${e.resumed ? 'Resuming' : 'Starting'} run ${e.runId} on ${e.backend} (${e.steps.length} step${e.steps.length === 1 ? '' : 's'})`
    case 'StepStarted':
      return `${time(now())} ${e.step}: ${e.physicalName}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`
    case 'StepReused':
      return `${time(now())} ${e.step}: ${e.physicalName} finished in an earlier try of this run; reused`
    case 'RequestSent':
      return e.outcome === 'created' ? undefined : `${time(now())} ${e.step}: ${e.op}: ${e.outcome === 'adopted' ? 'already exists; adopted' : 'updated'}`
    case 'StatusChanged':
      // A secondary status stands alone: SageMaker does not say which status it happened under.
      return `${time(e.at)} ${e.step}: ${e.secondary === undefined ? e.status : `  ${e.secondary}`}${e.message === undefined || e.message === '' ? '' : ` — ${e.message}`}`
    case 'TuningProgress':
      return `${time(e.at)} ${e.step}: ${showProgress(e.progress)}`
    case 'LogLine':
      return `${e.step} [${e.host}] ${e.line}`
    case 'Upload':
      return e.progress.loaded === e.progress.total ? `${time(now())} ${e.step}: staged ${e.progress.uri} (${e.progress.total} bytes)` : undefined
    case 'Repacked':
      return `${time(now())} ${e.step}: ${e.uploaded ? 'repacked' : 'already repacked'} ${e.from} with its serving code: ${e.to}`
    case 'StepFinished':
      return `${time(now())} ${e.step}: ${e.status}${e.reason === undefined || e.reason === '' ? '' : `: ${e.reason}`}`
    case 'Stopping':
      return `${time(now())} ${e.step}: stopping ${e.physicalName}`
  }
}

/**
 * `eventLine` with memory: a step's end is not repeated when its last status line already said it
 * (`Completed` after `Completed / Completed`).
 */
export const eventLines = (now: () => Date = () => new Date()): ((e: RunEvent) => string | undefined) => {
  const said = new Map<string, string>()
  return (e) => {
    if (e._tag === 'StatusChanged') said.set(e.step, e.status)
    if (e._tag === 'StepFinished' && e.reason === undefined && said.get(e.step) === e.status) return undefined
    return eventLine(e, now)
  }
}

const seconds = (ms: number | undefined) => (ms === undefined ? '' : `${(ms / 1000).toFixed(1)}s`)

/** The summary table: step, physical name, status, duration, key outputs. */
export const summaryText = (r: RunResult): string => {
  const rows = r.steps.map((s) => [
    s.name,
    s.physicalName ?? '-',
    s.reused ? `${s.status} (reused)` : s.status,
    seconds(s.durationMs),
    Object.entries(s.outputs)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  ])
  const head = ['STEP', 'NAME', 'STATUS', 'TIME', 'OUTPUTS']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()
  return [`Run ${r.runId}: ${r.status}`, line(head), ...rows.map(line), ...r.errors.map((e) => `error: ${describeExecError(e)}`)].join('\n')
}

const readParamsFile = (file: string): Record<string, string> => {
  const u = JSON.parse(readFileSync(file, 'utf8')) as unknown
  if (typeof u !== 'object' || u === null || Array.isArray(u)) throw new Error('expected a JSON object of parameter values')
  return Object.fromEntries(Object.entries(u).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
}

const OPTIONS = {
  ...TARGET_FLAGS,
  'run-id': { type: 'string' },
  resume: { type: 'string' },
  'retry-failed': { type: 'boolean' },
  'max-parallel': { type: 'string' },
  param: { type: 'string', short: 'p', multiple: true },
  params: { type: 'string' },
  'no-logs': { type: 'boolean' },
  format: { type: 'string', default: 'text' },
  'stop-on-interrupt': { type: 'boolean' },
  'upload-local-data': { type: 'string' },
  teardown: { type: 'boolean' },
} as const

export const runCommand = async (args: ReadonlyArray<string>, io: Io, signal?: AbortSignal): Promise<number> => {
  const parsed = parseCommand(args, OPTIONS, usage, io)
  if (!parsed.ok) return parsed.code
  const v = parsed.values
  const file = parsed.positionals[0]
  const problems: string[] = []
  if (file === undefined || parsed.positionals.length > 1) problems.push('expected one program file')
  const json = v.format === 'json'
  const say = json ? io.err : io.out
  const chosen = readTargetFlags(v, { ...(v['upload-local-data'] === undefined ? {} : { uploadLocalData: v['upload-local-data'] }), say })
  if (!chosen.ok) problems.push(...chosen.problems)
  if (v['run-id'] !== undefined && v.resume !== undefined) problems.push('--run-id and --resume name the run twice: use one')
  const runIdFlag = v.resume ?? v['run-id']
  if (runIdFlag !== undefined && !isRunId(runIdFlag)) problems.push(`run id "${runIdFlag}": expected at most 12 letters, digits and inner hyphens`)
  if (v['retry-failed'] && v.resume === undefined) problems.push('--retry-failed goes with --resume')
  const maxParallel = v['max-parallel'] === undefined ? 4 : Number(v['max-parallel'])
  if (!Number.isInteger(maxParallel) || maxParallel < 1) problems.push(`--max-parallel: expected a whole number of at least 1, got "${v['max-parallel']}"`)
  if (v.format !== 'text' && v.format !== 'json') problems.push(`unknown --format "${v.format}" (expected text or json)`)
  if (problems.length > 0 || !chosen.ok) {
    io.err(`${problems.join('\n')}\n\n${usage}`)
    return 2
  }

  let paramFlags = [...(v.param ?? [])]
  if (v.params !== undefined) {
    try {
      // A --param flag overrides the file's value of that name (a name repeated among the flags is an error).
      const flagged = new Set(paramFlags.map((f) => f.slice(0, f.indexOf('='))))
      const fromFile = Object.entries(readParamsFile(v.params)).filter(([k]) => !flagged.has(k))
      paramFlags = [...fromFile.map(([k, x]) => `${k}=${x}`), ...paramFlags]
    } catch (e) {
      io.err(`--params ${v.params}: ${(e as Error).message}`)
      return 2
    }
  }
  const compiled = await compile(io, file!, paramFlags)
  if (!compiled.ok) return compiled.code

  // One options object for prepare and createBackend (a target may remember its choices by it).
  const options = compiled.uploads.length === 0 ? chosen.options : { ...chosen.options, uploads: compiled.uploads }
  const target = await loadTarget(chosen.target)
  // Where a person watches a terminal, live lines (uploads before the run, then the status block).
  const tty = !json && process.stdout.isTTY === true && io === defaultIo
  // Uploads before the run (`--upload-local-data`) draw their live line with the run's renderer; its
  // block is empty between uploads, so the plain lines `say` writes then do not disturb it.
  const uploads = tty ? ttyView(process.stdout, () => undefined) : undefined
  let prepared
  try {
    prepared = await target.prepare(compiled.plan, uploads === undefined ? options : { ...options, onUpload: (progress) => uploads.event({ _tag: 'Upload', step: '', progress }) })
  } finally {
    uploads?.close()
  }
  if (prepared.errors.length > 0) {
    io.err(`${file}: ${prepared.errors.length} problem${prepared.errors.length === 1 ? '' : 's'} for --target ${v.target}; nothing was run.`)
    for (const e of prepared.errors) io.err(`  ${message(e)}`)
    return 1
  }
  let backend
  try {
    backend = await target.createBackend(options)
  } catch (e) {
    io.err(`--target ${v.target}: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  }

  const runId = runIdFlag ?? newRunId(new Date(), Math.random)
  const stopOnInterrupt = v['stop-on-interrupt'] === true || target.stopOnInterrupt === true
  // First Ctrl-C: stop starting steps, leave jobs running (or stop them), write the journal and say
  // how to resume. Second: exit at once; the journal is consistent after every write.
  const controller = new AbortController()
  const onAbort = () => controller.abort()
  signal?.addEventListener('abort', onAbort, { once: true })
  let interrupts = 0
  const onSigint = () => {
    interrupts++
    if (interrupts > 1) process.exit(130)
    io.err(
      stopOnInterrupt
        ? `Interrupted: stopping running jobs (Ctrl-C again to exit now). Resume with: sagespec run ${file} --target ${v.target} --resume ${runId}`
        : `Interrupted: no new steps start; running jobs go on. Resume with: sagespec run ${file} --target ${v.target} --resume ${runId}`,
    )
    controller.abort()
  }
  process.on('SIGINT', onSigint)
  process.on('SIGTERM', onSigint)
  // A live status block only where a person watches a terminal; plain lines everywhere else.
  const lines = eventLines()
  const view = tty ? ttyView(process.stdout, lines) : lineView(say, lines)
  let result: RunResult
  try {
    result = await run(prepared.plan, {
      backend,
      runId,
      params: Object.fromEntries(paramFlags.map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)])),
      stateDir: options.stateDir,
      baseDir: options.baseDir,
      program: file!,
      maxParallel,
      retryFailed: v['retry-failed'] === true,
      stopOnInterrupt,
      logs: v['no-logs'] !== true,
      signal: controller.signal,
      onEvent: view.event,
    })
  } finally {
    view.close()
    process.off('SIGINT', onSigint)
    process.off('SIGTERM', onSigint)
    signal?.removeEventListener('abort', onAbort)
  }
  const tornDown = v.teardown === true ? await teardown(backend, result, say) : true
  await backend.close()
  if (json) io.out(JSON.stringify(result, null, 2))
  else io.out(summaryText(result))
  if (result.status === 'Interrupted' && !json) io.out(`Resume with: sagespec run ${file} --target ${v.target} --resume ${runId}`)
  if (result.status === 'Failed' && !json) io.out(`Journal: ${result.journalDir}. After fixing the cause: sagespec run ${file} --target ${v.target} --resume ${runId} --retry-failed`)
  return result.status === 'Completed' ? (tornDown ? 0 : 1) : result.status === 'Interrupted' ? 130 : 1
}

/**
 * `--teardown`: delete what the run deployed — its endpoints (with their configs), then its models —
 * whatever the run's outcome, so nothing keeps serving (or billing). Things already gone are fine.
 */
const teardown = async (backend: Backend, result: RunResult, say: (line: string) => void): Promise<boolean> => {
  let ok = true
  const named = (kind: string) => result.steps.flatMap((s) => (s.kind === kind && s.physicalName !== undefined && s.status !== 'Pending' ? [s.physicalName] : []))
  for (const name of named('Endpoint')) {
    const r = await deleteEndpoint(backend, name, { onEvent: (e) => say(`teardown: ${e._tag === 'DeleteSent' ? 'deleting' : e._tag === 'Deleted' ? 'deleted' : 'already gone:'} ${e.what} ${e.name}`) })
    if (E.isLeft(r) && r.left._tag !== 'NotFound') {
      say(`teardown: endpoint ${name}: ${describeCallError(r.left)}`)
      ok = false
    }
  }
  for (const name of named('Model')) {
    const r = await call(backend, 'DeleteModel', { ModelName: name })
    if (E.isRight(r)) say(`teardown: deleted model ${name}`)
    else if (r.left._tag !== 'NotFound') {
      say(`teardown: model ${name}: ${describeCallError(r.left)}`)
      ok = false
    }
  }
  return ok
}
