/**
 * `sagespec runs list|show <run-id>`: what the journals in the state folder recorded.
 *
 * @since 0.2.0
 */
import { resolve } from 'node:path'
import { listRuns, readRun } from '../interpret/execute/journal.js'
import type { Io } from './compile.js'
import { parseCommand } from './args.js'

export const usage = `Usage: sagespec runs list [--state-dir DIR] [--format text|json]
       sagespec runs show <run-id> [--state-dir DIR] [--format text|json]

Lists the runs journaled in the state folder (default .sagespec), or one run's steps: physical
names, statuses with their times, and the requests each step sent.`

export const runsCommand = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const parsed = parseCommand(args, { 'state-dir': { type: 'string', default: '.sagespec' }, format: { type: 'string', default: 'text' } }, usage, io)
  if (!parsed.ok) return parsed.code
  const [verb, id, ...rest] = parsed.positionals
  const stateDir = resolve(parsed.values['state-dir']!)
  const json = parsed.values.format === 'json'
  if (parsed.values.format !== 'text' && !json) {
    io.err(`unknown --format "${parsed.values.format}" (expected text or json)`)
    return 2
  }
  if (verb === 'list' && id === undefined) {
    const runs = listRuns(stateDir)
    if (json) io.out(JSON.stringify(runs, null, 2))
    else if (runs.length === 0) io.out(`No runs in ${stateDir}.`)
    else for (const r of runs) io.out(`${r.runId}  ${r.status.padEnd(11)}  ${r.target.padEnd(5)}  ${r.createdAt}  ${r.program}  (${r.steps.length} steps)`)
    return 0
  }
  if (verb === 'show' && id !== undefined && rest.length === 0) {
    const found = readRun(stateDir, id)
    if (found === undefined) {
      io.err(`no run "${id}" in ${stateDir} (sagespec runs list shows the runs there)`)
      return 1
    }
    if (json) {
      io.out(JSON.stringify(found, null, 2))
      return 0
    }
    const { run, steps } = found
    io.out(`Run ${run.runId}: ${run.status} — ${run.target} (${run.backend}), ${run.program}, started ${run.createdAt}`)
    for (const s of steps) {
      io.out(`  ${s.name} (${s.kind}) ${s.physicalName ?? ''}: ${s.status}${s.attempt > 1 ? ` (attempt ${s.attempt})` : ''}${s.reason === undefined ? '' : ` — ${s.reason}`}`)
      for (const t of s.transitions) io.out(`    ${t.at} ${t.status}${t.secondary === undefined ? '' : ` / ${t.secondary}`}${t.message === undefined ? '' : ` — ${t.message}`}`)
      for (const r of s.requests) io.out(`    ${r.at} ${r.op}: ${r.outcome}`)
    }
    return 0
  }
  io.err(usage)
  return 2
}
