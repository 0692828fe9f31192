/**
 * `sagespec attach <job> [--kind training|tuning|transform] --target aws|local`: follow a training,
 * tuning or transform job that already exists — its status transitions, a tuning job's progress, its
 * logs — until it ends. Exits 0 when it completed. Ctrl-C stops following; the job goes on. With
 * `--as <step> --resume <run-id>` the completed job is journaled as that step of the run, so resuming
 * the run reuses it.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { describeCallError } from '../interpret/execute/calls.js'
import { adopt, checkAdoption, describeAdoptError } from '../interpret/execute/adopt.js'
import { findJob, follow, JOB_KINDS, type JobKind } from '../interpret/execute/follow.js'
import { isRunId, readRun, type Transition } from '../interpret/execute/journal.js'
import type { Io } from './compile.js'
import { eventLine } from './run.js'
import { readTargetFlags, TARGET_FLAGS, TARGET_USAGE, withBackend, type CommandDeps } from './targets.js'
import { parseCommand } from './args.js'

export const usage = `Usage: sagespec attach <job-name> --target aws|local [--kind training|tuning|transform] [--no-logs]
                       [--as <step> --resume <run-id>]

Follows an existing job until it ends: each status transition once, with its time; a tuning job's
progress; a training or transform job's logs. Exits 0 when the job completed. Ctrl-C stops following
and leaves the job running.

Options:
  --kind training|tuning|transform   what the job is (default: the first kind that knows the name)
  --no-logs                   do not follow the job's logs
  --as STEP --resume RUN-ID   when the job completes, journal it as step STEP of run RUN-ID: resuming
                              that run then reuses the job instead of running the step
${TARGET_USAGE}`

const KINDS: { readonly [flag: string]: JobKind } = { training: 'Training', tuning: 'Tuning', transform: 'Transform' }

export const attachCommand = async (args: ReadonlyArray<string>, io: Io, deps: CommandDeps = {}): Promise<number> => {
  const parsed = parseCommand(args, { ...TARGET_FLAGS, kind: { type: 'string' }, 'no-logs': { type: 'boolean' }, as: { type: 'string' }, resume: { type: 'string' } }, usage, io)
  if (!parsed.ok) return parsed.code
  const v = parsed.values
  const [name, ...rest] = parsed.positionals
  const problems: string[] = []
  if (name === undefined || rest.length > 0) problems.push('expected one job name')
  const kindFlag = v.kind === undefined ? undefined : Object.prototype.hasOwnProperty.call(KINDS, v.kind) ? KINDS[v.kind] : undefined
  if (v.kind !== undefined && kindFlag === undefined) problems.push(`unknown --kind "${v.kind}" (expected training, tuning or transform)`)
  if ((v.as === undefined) !== (v.resume === undefined)) problems.push('--as and --resume go together: the step, and the run it belongs to')
  if (v.resume !== undefined && !isRunId(v.resume)) problems.push(`run id "${v.resume}": expected at most 12 letters, digits and inner hyphens`)
  const chosen = readTargetFlags(v)
  if (!chosen.ok) problems.push(...chosen.problems)
  if (problems.length > 0 || !chosen.ok) {
    io.err(`${problems.join('\n')}\n\n${usage}`)
    return 2
  }
  return withBackend(io, chosen.target, chosen.options, deps, async (backend, signal) => {
    const kinds = kindFlag === undefined ? JOB_KINDS : [kindFlag]
    const kind = await findJob(backend, name!, kinds, signal)
    if (E.isLeft(kind)) {
      const what = kinds.map((k) => k.toLowerCase()).join(', ').replace(/, ([a-z]+)$/, ' or $1')
      io.err(kind.left._tag === 'NotFound' ? `no ${what} job named "${name}" on --target ${chosen.target}` : describeCallError(kind.left))
      return kind.left._tag === 'Interrupted' ? 130 : 1
    }
    const { stateDir } = chosen.options
    const into = v.as === undefined || v.resume === undefined ? undefined : { step: v.as, runId: v.resume }
    if (into !== undefined) {
      const fits = checkAdoption(stateDir, into.runId, into.step, kind.right)
      if (E.isLeft(fits)) {
        io.err(describeAdoptError(fits.left))
        return 1
      }
    }
    io.out(`Following ${kind.right.toLowerCase()} job ${name} on ${backend.describe}`)
    const transitions: Transition[] = []
    const r = await follow(backend, kind.right, name!, {
      signal,
      logs: v['no-logs'] !== true,
      ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
      ...(deps.random === undefined ? {} : { random: deps.random }),
      ...(deps.now === undefined ? {} : { now: deps.now }),
      onEvent: (e) => {
        if (e._tag === 'StatusChanged')
          transitions.push({ status: e.status, ...(e.secondary === undefined ? {} : { secondary: e.secondary }), ...(e.message === undefined ? {} : { message: e.message }), at: e.at.toISOString() })
        const line = eventLine(e)
        if (line !== undefined) io.out(line)
      },
    })
    if (E.isLeft(r)) {
      if (r.left._tag === 'Interrupted') {
        io.err(`Stopped following ${name}; the job goes on. Attach again with: sagespec attach ${name} --target ${chosen.target}`)
        return 130
      }
      io.err(describeCallError(r.left))
      return 1
    }
    io.out(`${name}: ${r.right.status}${r.right.reason === undefined ? '' : `: ${r.right.reason}`}`)
    if (into === undefined) return r.right.completed ? 0 : 1
    if (!r.right.completed) {
      io.err(`Not adopted into run ${into.runId}: ${name} ended ${r.right.status}.`)
      return 1
    }
    const adopted = adopt(stateDir, into.runId, into.step, { kind: kind.right, name: name!, describe: r.right.describe, transitions }, (deps.now ?? (() => new Date()))())
    if (E.isLeft(adopted)) {
      io.err(describeAdoptError(adopted.left))
      return 1
    }
    const program = readRun(stateDir, into.runId)?.run.program ?? '<program>'
    io.out(`Adopted ${name} as step ${into.step} of run ${into.runId}. Resume with: sagespec run ${program} --target ${chosen.target} --resume ${into.runId}`)
    return 0
  })
}
