/**
 * The program: every step and declared parameter, as one value. Serialisable to JSON and back through
 * its codec, so `sagespec plan program.json` works as well as a TypeScript module.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import * as C from './codec.js'
import { Step } from './step.js'
import { collectExprs, type Param, type ParamType } from './val.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface ParamDecl {
  readonly name: string
  readonly type: ParamType
  readonly default?: string | number | boolean
  readonly allowed?: ReadonlyArray<string | number | boolean>
  readonly description?: string
}

export interface Program {
  readonly params: ReadonlyArray<ParamDecl>
  readonly steps: ReadonlyArray<Step>
}

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const ParamValue = C.scalar('ParamValue', 'a string, a number or a boolean', (u): u is string | number | boolean =>
  typeof u === 'string' || (typeof u === 'number' && Number.isFinite(u)) || typeof u === 'boolean',
)

export const ParamDeclCodec = C.struct(
  'ParamDecl',
  {
    name: C.str('ParamName', { pattern: /^[A-Za-z_][A-Za-z0-9_]{0,63}$/, describe: 'a parameter name matching ^[A-Za-z_][A-Za-z0-9_]{0,63}$' }),
    type: C.oneOf('ParamType', ['String', 'Integer', 'Float', 'Boolean']),
  },
  { default: ParamValue, allowed: C.array(ParamValue, { min: 1 }), description: C.str('Description', { max: 1024 }) },
)

// Steps are addressed by name in error paths (`steps.train.resources…`), which reads far better than
// an index; a step without a usable name falls back to its index.
const StepList = C.withFastCheck(new t.Type<ReadonlyArray<Step>, ReadonlyArray<Step>, unknown>(
  'Steps',
  (u): u is ReadonlyArray<Step> => Array.isArray(u) && u.every(Step.is),
  (u, c) => {
    if (!Array.isArray(u)) return C.fail(u, c, { _tag: 'InvalidField', expected: 'a list of steps' })
    const errors: t.Errors = []
    const keys = stepKeys(u)
    u.forEach((x, i) => {
      const r = Step.validate(x, C.child(c, keys[i]!, Step, x))
      if (r._tag === 'Left') errors.push(...r.left)
    })
    return errors.length > 0 ? t.failures(errors) : t.success(u as ReadonlyArray<Step>)
  },
  t.identity,
), (compile) => {
  const step = compile(Step)
  return (u, path) => {
    if (!Array.isArray(u)) return false
    const keys = stepKeys(u)
    for (let i = 0; i < u.length; i++) {
      if (!(i in u)) return false
      path.push(keys[i]!)
      const ok = step(u[i], path)
      path.pop()
      if (!ok) return false
    }
    return true
  }
})

/**
 * Each step's key in error paths: its name, or its index when it has no usable name or repeats an
 * earlier one. A sparse list's holes stay holes.
 */
export const stepKeys = (steps: ReadonlyArray<unknown>): ReadonlyArray<string> => {
  const names = stepNames(steps)
  const last = lastKeys.get(steps)
  if (last !== undefined && sameNames(last.names, names)) return last.keys
  const keys = keysOf(names)
  lastKeys.set(steps, { names, keys })
  return keys
}

// validate asks twice for the same list (its step-list check, then its graph checks). The keys
// follow from the names alone, so the last keys of a list are kept with the names they came from,
// and given again while the list holds the same names (it may have been changed in between).
const lastKeys = new WeakMap<ReadonlyArray<unknown>, { readonly names: ReadonlyArray<unknown>; readonly keys: ReadonlyArray<string> }>()

/** What each step's key depends on: its `name`, read once; `HOLE` for a hole of a sparse list. */
const HOLE: unique symbol = Symbol('hole')

const stepNames = (steps: ReadonlyArray<unknown>): ReadonlyArray<unknown> => {
  const names = new Array<unknown>(steps.length)
  for (let i = 0; i < steps.length; i++) {
    if (!(i in steps)) names[i] = HOLE
    else {
      const x = steps[i]
      names[i] = typeof x === 'object' && x !== null ? (x as { name?: unknown }).name : undefined
    }
  }
  return names
}

const sameNames = (a: ReadonlyArray<unknown>, b: ReadonlyArray<unknown>): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

const keysOf = (names: ReadonlyArray<unknown>): ReadonlyArray<string> => {
  const seen = new Set<string>()
  const keys = new Array<string>(names.length)
  for (let i = 0; i < names.length; i++) {
    const name = names[i]
    if (name === HOLE) continue
    // A repeated name falls back to the index, so the two steps' errors stay apart.
    if (typeof name !== 'string' || !/^[A-Za-z0-9-]+$/.test(name) || /^\d+$/.test(name) || seen.has(name)) keys[i] = String(i)
    else {
      seen.add(name)
      keys[i] = name
    }
  }
  return keys
}

export const ProgramCodec = C.struct(
  'Program',
  { steps: StepList },
  { params: C.array(ParamDeclCodec), version: C.literal('1') },
)

/** JSON form: `{ "version": "1", "params": [...], "steps": [...] }`. */
export const toJson = (p: Program): string => JSON.stringify({ version: '1', params: p.params, steps: p.steps }, null, 2)

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

const declOf = (p: Param<unknown>): ParamDecl | undefined =>
  p.type === undefined
    ? undefined
    : {
        name: p.name,
        type: p.type,
        ...(p.default !== undefined ? { default: p.default } : {}),
        ...(p.allowed !== undefined ? { allowed: p.allowed } : {}),
        ...(p.description !== undefined ? { description: p.description } : {}),
      }

/**
 * Build a program from steps; parameters used anywhere in them are declared automatically. The first
 * declaration of a name wins; `validate` reports a use site whose type differs from it (differing
 * defaults or allowed values at other use sites are not compared).
 *
 * @category constructors
 */
export const program = (...steps: ReadonlyArray<Step>): Program => {
  const params = new Map<string, ParamDecl>()
  for (const p of collectExprs(steps).params) {
    const d = declOf(p)
    if (d !== undefined && !params.has(d.name)) params.set(d.name, d)
  }
  return Object.freeze({ params: Object.freeze([...params.values()]), steps: Object.freeze([...steps]) })
}

/** Add (or replace by name) parameter declarations, e.g. ones no step uses yet. @category combinators */
export const withParams =
  (...decls: ReadonlyArray<ParamDecl | Param<unknown>>) =>
  (p: Program): Program => {
    const params = new Map(p.params.map((d) => [d.name, d]))
    for (const d of decls) {
      const decl = '_tag' in d ? declOf(d) : d
      if (decl !== undefined) params.set(decl.name, decl)
    }
    return Object.freeze({ params: Object.freeze([...params.values()]), steps: p.steps })
  }
