/**
 * `sagespec plan <program> [--format text|json|mermaid|dot] [--param name=value …]`
 *
 * @since 0.1.0
 */
import { toDot, toMermaid } from '../interpret/dry-run/graph.js'
import { toJsonPlan } from '../interpret/dry-run/json.js'
import { toText } from '../interpret/dry-run/text.js'
import type { Plan } from '../interpret/plan/plan.js'
import { compile, type Io } from './compile.js'
import { parseCommand } from './args.js'

export const usage = `Usage: sagespec plan <program.ts|program.json> [--format text|json|mermaid|dot] [--param name=value ...]

Validates the program and prints what would run, without running anything or calling AWS.`

const FORMATS: { readonly [k: string]: (p: Plan) => string } = { text: toText, json: toJsonPlan, mermaid: toMermaid, dot: toDot }

const OPTIONS = { format: { type: 'string', short: 'f', default: 'text' }, param: { type: 'string', short: 'p', multiple: true } } as const

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
  const compiled = await compile(io, file, parsed.values.param ?? [])
  if (!compiled.ok) return compiled.code
  io.out(render(compiled.plan))
  return 0
}
