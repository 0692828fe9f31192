/**
 * Shared by commands: load → bind `--param` values → validate → plan, printing every problem.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { bindParams, parseParamValue } from '../spec/bind.js'
import { message, type SpecError } from '../spec/errors.js'
import type { Program } from '../spec/program.js'
import { validate } from '../spec/validate.js'
import { toPlan, type Plan } from '../interpret/plan/plan.js'
import { nameCollisions } from '../interpret/plan/collisions.js'
import { isJsonPlan } from '../interpret/dry-run/json.js'
import { programCodeErrors, resolveAssets, type PackCache, type ResolvedAssets } from '../interpret/code/assets.js'
import { loadProgram, type DataObject } from './load.js'

export interface Io {
  readonly out: (s: string) => void
  readonly err: (s: string) => void
  /** Bytes to standard output as they are (`predict`); absent: written through `out` as UTF-8. */
  readonly write?: (bytes: Uint8Array) => void
}

/**
 * `name=value` pairs from repeated `--param` flags. The record has no prototype, so a name such as
 * `__proto__` or `constructor` is a name like any other (and then an unknown parameter), never a
 * prototype lookup or write. A name given twice is an error: which value was meant is a guess.
 */
export const parseParamFlags = (flags: ReadonlyArray<string>): E.Either<string, Readonly<Record<string, string>>> => {
  const out: Record<string, string> = Object.create(null)
  for (const f of flags) {
    const i = f.indexOf('=')
    if (i <= 0) return E.left(`--param expects name=value, got "${f}"`)
    const name = f.slice(0, i)
    if (Object.prototype.hasOwnProperty.call(out, name)) return E.left(`--param ${name} is given more than once; give it once`)
    out[name] = f.slice(i + 1)
  }
  // A plain object for programs that are functions of params; fromEntries defines, never sets.
  return E.right(Object.fromEntries(Object.entries(out)))
}

const printErrors = (io: Io, file: string, errors: ReadonlyArray<SpecError>) => {
  io.err(`${file}: ${errors.length} problem${errors.length === 1 ? '' : 's'}; nothing was planned or run.`)
  for (const e of errors) io.err(`  ${message(e)}`)
}

/** Load, bind and validate; on failure prints and returns the exit code. */
export const compile = async (
  io: Io,
  file: string,
  paramFlags: ReadonlyArray<string>,
): Promise<
  | { ok: true; plan: Plan; assets: ResolvedAssets; bound: Readonly<Record<string, string | number | boolean>>; uploads: ReadonlyArray<DataObject> }
  | { ok: false; code: number }
> => {
  const flags = parseParamFlags(paramFlags)
  if (E.isLeft(flags)) {
    io.err(flags.left)
    return { ok: false, code: 2 }
  }
  const loaded = await loadProgram(file, flags.right)
  if (!loaded.ok) {
    io.err(`${loaded.error.file}: ${loaded.error.message}`)
    return { ok: false, code: 1 }
  }
  if (isJsonPlan(loaded.value)) {
    io.err(
      `${file}: this is a plan (what "sagespec plan --format json" writes), not a program. Give the program it was planned from: ` +
        'the .ts/.js module, or the program\'s JSON form (toJson(program): {"version": "1", "params": [...], "steps": [{"_tag": "Training", ...}]}).',
    )
    return { ok: false, code: 1 }
  }
  // Validate first so that binding works on a well-formed program, then again with the values bound.
  // Code is packed now, from the same folder the runners pack it from: a missing entry point is a
  // problem of the program, reported with the others.
  const cache: PackCache = new Map()
  const first = validate(loaded.value)
  const codeErrors = programCodeErrors(loaded.value, process.cwd(), cache)
  if (E.isLeft(first) || codeErrors.length > 0) {
    printErrors(io, file, [...(E.isLeft(first) ? first.left : []), ...codeErrors])
    return { ok: false, code: 1 }
  }
  const decls = new Map(first.right.params.map((d) => [d.name, d]))
  const values: Record<string, string | number | boolean> = Object.create(null)
  const errors: SpecError[] = []
  for (const [name, raw] of Object.entries(flags.right)) {
    const decl = decls.get(name)
    if (decl === undefined) {
      // A module that exports a function of params has already used the values it was given.
      if (!loaded.calledWithParams) errors.push({ _tag: 'UndeclaredParam', path: `--param ${name}`, name })
      continue
    }
    const v = parseParamValue(decl, raw)
    if (E.isLeft(v)) errors.push({ ...v.left, path: `--param ${name}` } as SpecError)
    else if (decl.allowed !== undefined && !decl.allowed.includes(v.right))
      errors.push({ _tag: 'InvalidField', path: `--param ${name}`, expected: `one of ${JSON.stringify(decl.allowed)}`, actual: v.right })
    else values[name] = v.right
  }
  if (errors.length > 0) {
    printErrors(io, file, errors)
    return { ok: false, code: 1 }
  }
  // Nothing bound: the program is the one just validated (binding nothing would copy it whole, and
  // validating the copy would find what the first pass found, at twice the time and memory).
  const bound = Object.keys(values).length === 0 ? first : validate(bindParams(values)(first.right as Program))
  if (E.isLeft(bound)) {
    printErrors(io, file, bound.left)
    return { ok: false, code: 1 }
  }
  const plan = toPlan(bound.right)
  const collisions = nameCollisions(plan)
  if (collisions.length > 0) {
    printErrors(io, file, collisions)
    return { ok: false, code: 1 }
  }
  const assets = resolveAssets(plan, { cwd: process.cwd(), cache })
  if (E.isLeft(assets)) {
    io.err(`${file}: cannot pack the program's code; nothing was planned or run.`)
    for (const e of assets.left) io.err(`  ${e}`)
    return { ok: false, code: 1 }
  }
  return { ok: true, plan, assets: assets.right, bound: values, uploads: loaded.uploads ?? [] }
}
