/**
 * `sagespec plan <program> [--format text|json|mermaid|dot] [--param name=value …] [--prices FILE] [-o FILE]`
 *
 * @since 0.1.0
 */
import { readFileSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { parsePrices, type Prices } from '../interpret/dry-run/cost.js'
import { toDot, toMermaid } from '../interpret/dry-run/graph.js'
import { toJsonPlan, writeJsonPlan } from '../interpret/dry-run/json.js'
import { toText, writeText, type TextOptions } from '../interpret/dry-run/text.js'
import type { Plan } from '../interpret/plan/plan.js'
import { SAMPLE_RUN_ID, samplePlan, sampleResolver } from '../interpret/plan/sample.js'
import { compile, type Io } from './compile.js'
import { withCodeUris } from '../interpret/code/assets.js'
import { writeAtomic } from '../interpret/execute/journal.js'
import { parseCommand } from './args.js'
import { PLAN_TARGETS, type PlanTarget } from '../interpret/dry-run/targets.js'
import { planTargetProblems } from './plan-target.js'

export const usage = `Usage: sagespec plan <program.ts|program.json> [--format text|json|mermaid|dot] [--param name=value ...]
                    [--prices FILE] [--sample] [--target aws|local|airflow [--upload-local-data S3URI]] [-o FILE]

Validates the program and prints what would run, without running anything or calling AWS.

  -f, --format FORMAT   text (default), json, mermaid or dot
  -p, --param N=V       bind a declared parameter
      --prices FILE     JSON object of instance type → hourly USD ({"ml.m5.xlarge": 0.23}): the text
                        plan's worst cases are shown in money too (read from the file; no network)
      --sample          replace every run-time value (run stamp, params, other steps' outputs, code
                        archive keys) with a visible sample, so each request is a literal one
      --target T        also check what target T (aws, local or airflow) refuses in this plan, such as
                        file:// locations, each as an error at its path worded as run/export word it
      --upload-local-data S3URI
                        with --target aws: file:// channels will be uploaded (as run takes it)
  -o, --output FILE     write the plan to FILE (replaced whole, never left half-written)`

const FORMATS: { readonly [k: string]: (p: Plan, o: TextOptions) => string } = { text: toText, json: toJsonPlan, mermaid: toMermaid, dot: toDot }

const OPTIONS = {
  format: { type: 'string', short: 'f', default: 'text' },
  param: { type: 'string', short: 'p', multiple: true },
  prices: { type: 'string' },
  sample: { type: 'boolean' },
  output: { type: 'string', short: 'o' },
  target: { type: 'string' },
  'upload-local-data': { type: 'string' },
} as const

const readPrices = (file: string): E.Either<string, Prices> => {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    return E.left(`--prices ${file}: cannot read it (${(e as Error).message})`)
  }
  return E.mapLeft((m: string) => `--prices ${file}: ${m}`)(parsePrices(text))
}

/** Replaced whole (a temporary file, then rename): a reader never sees half a plan. */
const writeAtomically = (file: string, text: string | ((write: (chunk: string) => void) => void)): E.Either<string, void> => {
  try {
    writeAtomic(file, typeof text !== 'string' || text.endsWith('\n') ? text : text + '\n')
    return E.right(undefined)
  } catch (e) {
    return E.left(`${file}: cannot write the plan (${(e as Error).message})`)
  }
}

export const planCommand = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const parsed = parseCommand(args, OPTIONS, usage, io)
  if (!parsed.ok) return parsed.code
  const file = parsed.positionals[0]
  const format = parsed.values.format ?? 'text'
  const render = Object.prototype.hasOwnProperty.call(FORMATS, format) ? FORMATS[format] : undefined
  if (file === undefined || parsed.positionals.length > 1 || render === undefined) {
    io.err(render === undefined ? `unknown --format "${parsed.values.format}" (expected text, json, mermaid or dot)` : usage)
    return 2
  }
  const prices = parsed.values.prices === undefined ? E.right(undefined) : readPrices(parsed.values.prices)
  if (E.isLeft(prices)) {
    io.err(prices.left)
    return 2
  }
  const target = parsed.values.target
  if (target !== undefined && !(PLAN_TARGETS as ReadonlyArray<string>).includes(target)) {
    io.err(`unknown --target "${target}" (expected ${PLAN_TARGETS.join(', ')})`)
    return 2
  }
  if (parsed.values['upload-local-data'] !== undefined && target !== 'aws') {
    io.err('--upload-local-data is for --target aws')
    return 2
  }
  const compiled = await compile(io, file, parsed.values.param ?? [])
  if (!compiled.ok) return compiled.code
  if (target !== undefined) {
    const upload = parsed.values['upload-local-data']
    const problems = await planTargetProblems(target as PlanTarget, compiled.plan, { baseDir: process.cwd(), ...(upload === undefined ? {} : { uploadLocalData: upload }) })
    if (problems.length > 0) {
      io.err(`${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} for --target ${target}; nothing was planned or run.`)
      for (const p of problems) io.err(`  ${p}`)
      return 1
    }
  }
  const sampled = parsed.values.sample === true
  // Sampled: code keys are the real ones (packed above); only run-time values get samples.
  const plan = sampled ? samplePlan(withCodeUris(compiled.plan, compiled.assets), sampleResolver(compiled.plan, compiled.bound)) : compiled.plan
  const options: TextOptions = {
    bound: compiled.bound,
    assets: compiled.assets,
    ...(prices.right === undefined ? {} : { prices: prices.right }),
    ...(sampled ? { sample: { runId: SAMPLE_RUN_ID } } : {}),
  }
  // A text or JSON plan goes out in pieces, never held as one string (10,000 steps make 24 MB of JSON).
  const writer = format === 'json' ? writeJsonPlan : format === 'text' ? writeText : undefined
  const streamed = writer === undefined ? undefined : (write: (chunk: string) => void) => writer(plan, options, write)
  if (parsed.values.output === undefined) {
    const bytes = io.write
    if (streamed !== undefined && bytes !== undefined) streamed((chunk) => bytes(Buffer.from(chunk)))
    else io.out(render(plan, options))
    return 0
  }
  const written = writeAtomically(parsed.values.output, streamed ?? render(plan, options))
  if (E.isLeft(written)) {
    io.err(written.left)
    return 1
  }
  io.err(`wrote ${parsed.values.output}: plan of ${compiled.plan.steps.length} step${compiled.plan.steps.length === 1 ? '' : 's'} (${format})`)
  return 0
}
