/**
 * `sagespec tuning analytics <tuning-job> [--csv FILE] [--svg FILE] --target aws|local`: every
 * training job of a tuning job, best first, as a table; as CSV and as an SVG plot on request.
 *
 * @since 0.2.0
 */
import { writeFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { describeCallError } from '../interpret/execute/calls.js'
import { toCsv, toTable, tuningAnalytics, type AnalyticsError } from '../interpret/tuning/analytics.js'
import { toSvg } from '../interpret/tuning/plot.js'
import type { Io } from './compile.js'
import { readTargetFlags, TARGET_FLAGS, TARGET_USAGE, withBackend, type CommandDeps } from './targets.js'
import { parseCommand } from './args.js'

export const usage = `Usage: sagespec tuning analytics <tuning-job> --target aws|local [--csv FILE] [--svg FILE]

Every training job the tuning job launched (all pages), with its tuned hyperparameters and final
objective, best first by the tuning job's objective (Maximize or Minimize).

Options:
  --csv FILE                  also write the table as CSV (RFC 4180)
  --svg FILE                  also write a plot: the objective of each job over time, and the best so far
${TARGET_USAGE}`

const describeError = (e: AnalyticsError, job: string): string => {
  switch (e._tag) {
    case 'NoObjective':
      return `tuning job ${e.tuningJob} names no objective metric and type in its Describe response`
    case 'NotFound':
      return `no tuning job "${job}": ${e.message}`
    case 'ServiceError':
    case 'Interrupted':
      return describeCallError(e)
  }
}

export const tuningCommand = async (args: ReadonlyArray<string>, io: Io, deps: CommandDeps = {}): Promise<number> => {
  const parsed = parseCommand(args, { ...TARGET_FLAGS, csv: { type: 'string' }, svg: { type: 'string' } }, usage, io)
  if (!parsed.ok) return parsed.code
  const v = parsed.values
  const [verb, job, ...rest] = parsed.positionals
  const problems: string[] = []
  if (verb !== 'analytics' || job === undefined || rest.length > 0) problems.push('expected: analytics <tuning-job>')
  const chosen = readTargetFlags(v)
  if (!chosen.ok) problems.push(...chosen.problems)
  if (problems.length > 0 || !chosen.ok) {
    io.err(`${problems.join('\n')}\n\n${usage}`)
    return 2
  }
  return withBackend(io, chosen.target, chosen.options, deps, async (backend, signal) => {
    const r = await tuningAnalytics(backend, job!, signal)
    if (E.isLeft(r)) {
      io.err(describeError(r.left, job!))
      return r.left._tag === 'Interrupted' ? 130 : 1
    }
    io.out(toTable(r.right))
    const files = [
      { flag: 'csv', file: v.csv, render: () => toCsv(r.right), what: 'CSV' },
      { flag: 'svg', file: v.svg, render: () => toSvg(r.right), what: 'SVG plot' },
    ]
    for (const { flag, file, render, what } of files) {
      if (file === undefined) continue
      try {
        writeFileSync(file, render())
      } catch (e) {
        io.err(`--${flag} ${file}: ${(e as Error).message}`)
        return 1
      }
      io.err(`Wrote ${what} to ${file}`)
    }
    return 0
  })
}
