/**
 * The one place that decodes and checks a program. It returns every problem at once — field errors
 * from the codecs, then references, parameters, the dependency graph and cross-field rules — each with
 * the dotted path where it is. Interpreters accept only what this returns.
 *
 * @since 0.1.0
 */
import type * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import type { NonEmptyArray } from 'fp-ts/lib/NonEmptyArray.js'
import * as C from './codec.js'
import { nestingError, tooDeep } from './depth.js'
import { scan } from './scan.js'
import type { SpecError } from './errors.js'
import { fits, describeField, MEANING_WORDS, REFERENCE_TARGETS, type ReferenceMeaning } from './meaning.js'
import { lookupOutput } from './outputs.js'
import { ProgramCodec, stepKeys, type ParamDecl, type Program } from './program.js'
import { RULES } from './rules.js'
import { OUTPUT_SCHEMAS, STEP_TAGS, Step, type StepOf, type StepTag } from './step.js'
import { templatesFromSteps } from './template.js'
import { showRef, type ParamType, type Ref } from './val.js'

declare const validBrand: unique symbol
/** A program `validate` accepted. Only `validate` makes one. */
export type ValidProgram = Program & { readonly [validBrand]: true }

// -------------------------------------------------------------------------------------
// io-ts errors → SpecError
// -------------------------------------------------------------------------------------

/** The kind of step each name stands for: the first step of that name whose kind is known. */
type Kinds = Pick<ReadonlyMap<string, StepTag>, 'get' | 'has' | 'size'>

/** What to write instead of a bare name: a ref to the step of that name if it makes such a thing, else `existing`. */
const bareNameHint = (name: string, meaning: ReferenceMeaning, kinds: Kinds): string => {
  const target = REFERENCE_TARGETS[meaning]
  return kinds.get(name) === target.kind
    ? `did you mean ${name}.outputs.${target.output} (in JSON ${JSON.stringify({ _tag: 'Ref', step: name, path: target.path })})? A bare name adds no dependency and names nothing the run creates`
    : `write existing(${JSON.stringify(name)}) (in JSON {"_tag":"Existing","name":${JSON.stringify(name)}}) for a resource made outside the program, or a ref to the step that makes it`
}

const fromIoTs = (kinds: Kinds) => (e: t.ValidationError): SpecError => {
  const path = C.contextPath(e.context)
  const issue = (e as C.IssueError).issue
  if (issue === undefined) return { _tag: 'InvalidField', path, expected: e.message ?? e.context[e.context.length - 1]?.type.name ?? 'a valid value', actual: e.value }
  switch (issue._tag) {
    case 'InvalidField':
      return { _tag: 'InvalidField', path, expected: issue.expected, actual: e.value }
    case 'BareName':
      return { _tag: 'BareName', path, name: String(e.value), expected: issue.expected, hint: bareNameHint(String(e.value), issue.meaning, kinds) }
    case 'MissingField':
      return { _tag: 'MissingField', path, expected: issue.expected }
    case 'UnknownField':
      return { _tag: 'UnknownField', path, actual: e.value }
  }
}

// -------------------------------------------------------------------------------------
// checks
// -------------------------------------------------------------------------------------

/**
 * `existing('x')` where the program has a step named `x`: SageMaker would look for a resource named
 * `x` literally, while step `x` creates `x-<run>` — almost surely a ref was meant. Found on the raw
 * program (an `Existing` leaf is only valid where a resource is named), each at its path.
 */
const existingStepErrors = (program: unknown, kinds: Kinds): SpecError[] => {
  const rawSteps = asRecord(program).steps
  if (!Array.isArray(rawSteps) || kinds.size === 0) return []
  const errors: SpecError[] = []
  const keys = stepKeys(rawSteps)
  const go = (v: unknown, path: string): void => {
    if (Array.isArray(v)) return v.forEach((x, i) => go(x, `${path}.${i}`))
    if (typeof v !== 'object' || v === null) return
    const o = v as Record<string, unknown>
    const named = o._tag === 'Existing' && typeof o.name === 'string' ? o.name : undefined
    // Only a step that makes what such fields name (a model, a tuning job, a model package) is confusable.
    const target = named === undefined ? undefined : Object.values(REFERENCE_TARGETS).find((t) => t.kind === kinds.get(named))
    if (named !== undefined && target !== undefined) {
      const name = named
      const instead = `${name}.outputs.${target.output} (in JSON ${JSON.stringify({ _tag: 'Ref', step: name, path: target.path })}), the name step "${name}" gives what it creates`
      errors.push({
        _tag: 'Rule',
        path,
        expected: `${instead}: existing(${JSON.stringify(name)}) names a resource called "${name}" made outside the program, but step "${name}" creates ${name}-<run>; rename the step if an outside resource of that name is really meant`,
        actual: v,
      })
      return
    }
    for (const [k, x] of Object.entries(o)) go(x, `${path}.${k}`)
  }
  rawSteps.forEach((s, i) => go(s, `steps.${keys[i]}`))
  return errors
}

const PARAM_FITS: { readonly [K in C.ValKind]: ReadonlyArray<ParamType> } = {
  string: ['String', 'Integer', 'Float'],
  integer: ['Integer'],
  number: ['Integer', 'Float'],
  boolean: ['Boolean'],
  scalar: ['String', 'Integer', 'Float', 'Boolean'],
}
const KIND_WORDS: { readonly [K in C.ValKind]: string } = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  scalar: 'a string, a number or a boolean',
}

const fitsType = (type: ParamType, v: unknown): boolean =>
  type === 'String' ? typeof v === 'string' : type === 'Boolean' ? typeof v === 'boolean' : type === 'Integer' ? Number.isInteger(v) : typeof v === 'number' && Number.isFinite(v)

const paramDeclErrors = (params: ReadonlyArray<ParamDecl>): SpecError[] => {
  const errors: SpecError[] = []
  const seen = new Set<string>()
  params.forEach((p, i) => {
    const at = `params.${i}`
    if (seen.has(p.name)) errors.push({ _tag: 'Rule', path: `${at}.name`, expected: 'a parameter name not declared twice', actual: p.name })
    seen.add(p.name)
    const words = `${p.type === 'Integer' ? 'an' : 'a'} ${p.type} value`
    if (p.default !== undefined && !fitsType(p.type, p.default)) errors.push({ _tag: 'InvalidField', path: `${at}.default`, expected: words, actual: p.default })
    p.allowed?.forEach((v, j) => {
      if (!fitsType(p.type, v)) errors.push({ _tag: 'InvalidField', path: `${at}.allowed.${j}`, expected: words, actual: v })
    })
    if (p.default !== undefined && p.allowed !== undefined && !p.allowed.includes(p.default))
      errors.push({ _tag: 'Rule', path: `${at}.default`, expected: `one of the allowed values ${JSON.stringify(p.allowed)}`, actual: p.default })
  })
  return errors
}

const KIND_NOUNS: { readonly [K in StepTag]: string } = {
  Training: 'training job',
  Tuning: 'tuning job',
  Model: 'model',
  Endpoint: 'endpoint',
  Transform: 'transform job',
  ModelPackage: 'model package',
}

/**
 * The keys a map output holds when the step's own fields say so literally: a training job's
 * hyperparameters, a tuning job's ranges (tuned) and template hyperparameters (static). `undefined`
 * when overrides may add keys, or the path is not into such a map.
 */
const ownKeys = (u: unknown): ReadonlyArray<string> => Object.keys(asRecord(u))
const overridden = (word: string, ...o: ReadonlyArray<unknown>) => o.some((x) => x !== undefined && JSON.stringify(x).includes(word))
const mapKeys = (kind: StepTag, rawOf: (name: string) => Record<string, unknown>, step: string, path: ReadonlyArray<string>): ReadonlyArray<string> | undefined => {
  const [a, b] = path
  if (kind === 'Training' && a === 'HyperParameters' && path.length === 2) {
    const raw = rawOf(step)
    return overridden('HyperParameters', raw.overrides) ? undefined : ownKeys(raw.hyperParameters)
  }
  if (kind !== 'Tuning' || path.length !== 3) return undefined
  const raw = rawOf(step)
  const training = asRecord(raw.training)
  if (a === 'BestTrainingJob' && b === 'TunedHyperParameters') return overridden('ParameterRanges', raw.overrides) ? undefined : ownKeys(raw.ranges)
  if (a === 'TrainingJobDefinition' && b === 'StaticHyperParameters')
    return overridden('HyperParameters', raw.overrides, training.overrides) ? undefined : ownKeys(training.hyperParameters).filter((k) => !Object.prototype.hasOwnProperty.call(asRecord(raw.ranges), k))
  return undefined
}

/** What is wrong with one expression use, if anything (at most one thing). */
const exprError = (
  u: C.ExprUse,
  kinds: Kinds,
  params: ReadonlyMap<string, ParamDecl>,
  rawOf: (name: string) => Record<string, unknown>,
): SpecError | undefined => {
  const e = u.expr
  if (e._tag === 'Ref') {
    const kind = kinds.get(e.step)
    if (kind === undefined) return { _tag: 'DanglingRef', path: u.path, step: e.step }
    const found = lookupOutput(OUTPUT_SCHEMAS[kind], e.path)
    if (found._tag === 'NotFound') return { _tag: 'UnknownOutput', path: u.path, step: e.step, output: e.path.join('.'), expected: found.expected.join(', ') }
    const keys = mapKeys(kind, rawOf, e.step, e.path)
    if (keys !== undefined && !keys.includes(e.path[e.path.length - 1]!)) {
      const map = e.path.slice(0, -1).join('.')
      return { _tag: 'UnknownOutput', path: u.path, step: e.step, output: e.path.join('.'), expected: keys.length === 0 ? `none: the step has no ${map}` : keys.map((k) => `${map}.${k}`).join(', ') }
    }
    // Numbers are printed into strings only where the compiler allows it too: hyperparameters and joins.
    if (u.kind === 'string' && found.type === 'number' && u.meaning !== 'Any')
      return { _tag: 'RefTypeMismatch', path: u.path, ref: showRef(e), expected: `${u.kind} (a join prints a number into a string: concat(ref))`, actual: found.type }
    if (u.kind !== 'string' && u.kind !== 'scalar' && found.type !== 'number')
      return { _tag: 'RefTypeMismatch', path: u.path, ref: showRef(e), expected: u.kind, actual: found.type }
    if (u.kind === 'boolean') return { _tag: 'RefTypeMismatch', path: u.path, ref: showRef(e), expected: u.kind, actual: found.type }
    if (!fits(u.meaning, found.meaning))
      return {
        _tag: 'RefMeaningMismatch',
        path: u.path,
        ref: showRef(e),
        expected: describeField(u.meaning),
        actual: `a ref to ${KIND_NOUNS[kind]} '${e.step}' ${e.path.join('.')} (${MEANING_WORDS[found.meaning]})`,
      }
    return undefined
  }
  if (e._tag === 'Code' && !fits(u.meaning, 'S3Uri'))
    return { _tag: 'RefMeaningMismatch', path: u.path, ref: 'code', expected: describeField(u.meaning), actual: `a code archive (${MEANING_WORDS.S3Uri})` }
  if (e._tag === 'Repack' && !fits(u.meaning, 'S3Uri'))
    return { _tag: 'RefMeaningMismatch', path: u.path, ref: 'repack', expected: describeField(u.meaning), actual: `a repacked model archive (${MEANING_WORDS.S3Uri})` }
  if (e._tag === 'Param') {
    const decl = params.get(e.name)
    if (decl === undefined) return { _tag: 'UndeclaredParam', path: u.path, name: e.name }
    if (e.type !== undefined && e.type !== decl.type)
      return { _tag: 'ParamTypeMismatch', path: u.path, name: e.name, expected: `the declared type ${decl.type}`, actual: e.type }
    if (!PARAM_FITS[u.kind].includes(decl.type))
      return { _tag: 'ParamTypeMismatch', path: u.path, name: e.name, expected: KIND_WORDS[u.kind], actual: `a ${decl.type}` }
    // The default (or an allowed value) is what the field gets when nothing is bound: SageMaker's
    // rules for the field apply to it (a line break in a hyperparameter, a bad S3 URI…).
    const literal = u.literal
    if (decl.type === 'String' && literal !== undefined) {
      const bad = [decl.default, ...(decl.allowed ?? [])].find((v) => typeof v === 'string' && !literal.is(v))
      const refused = bad === undefined ? undefined : literal.validate(bad, [])
      if (refused?._tag === 'Left') {
        // The field's own words for the value (an instance type's "did you mean", not its whole list).
        const issue = (refused.left[0] as C.IssueError | undefined)?.issue
        const words = issue !== undefined && issue._tag !== 'UnknownField' ? issue.expected : C.describeCodec(literal)
        return { _tag: 'Rule', path: u.path, expected: `parameter "${e.name}" to take only values that are ${words}`, actual: bad }
      }
    }
    return undefined
  }
  return undefined
}

const exprErrors = (
  uses: ReadonlyArray<C.ExprUse>,
  kinds: Kinds,
  params: ReadonlyMap<string, ParamDecl>,
  rawOf: (name: string) => Record<string, unknown>,
  into: SpecError[],
): void => {
  for (const u of uses) {
    const e = exprError(u, kinds, params, rawOf)
    if (e !== undefined) into.push(e)
  }
}

/** Dependencies of a step: the steps its refs point at, plus `after`. */
export const dependenciesOf = (after: ReadonlyArray<string> | undefined, refs: Iterable<Ref<unknown>>): ReadonlyArray<string> => {
  // In first-seen order, as a set gives them; a set is made only past a few names (most steps wait for one or two).
  const deps: string[] = []
  let seen: Set<string> | undefined
  const add = (name: string): void => {
    if (seen !== undefined) {
      if (!seen.has(name)) {
        seen.add(name)
        deps.push(name)
      }
    } else if (!deps.includes(name)) {
      deps.push(name)
      if (deps.length > 8) seen = new Set(deps)
    }
  }
  if (after !== undefined) for (const a of after) add(a)
  for (const r of refs) add(r.step)
  return deps
}

/** `dependenciesOf` for a step's own uses, without a set for the usual one or two names. */
const stepDependencies = (after: ReadonlyArray<string>, uses: ReadonlyArray<C.ExprUse>): ReadonlyArray<string> => {
  if (after.length + uses.length > 8) return dependenciesOf(after, uses.flatMap((u) => (u.expr._tag === 'Ref' ? [u.expr] : [])))
  const deps: string[] = []
  for (const a of after) if (!deps.includes(a)) deps.push(a)
  for (const u of uses) if (u.expr._tag === 'Ref' && !deps.includes(u.expr.step)) deps.push(u.expr.step)
  return deps
}

/**
 * Find one cycle (as a list of step names, first repeated last) per strongly connected knot. Nodes are
 * numbered (`names[n]`, `deps[n]` the names it depends on, `nodeOf` a name's number), so the walk keeps
 * its state in typed arrays instead of maps of names.
 */
const cycles = (names: ReadonlyArray<string>, deps: ReadonlyArray<ReadonlyArray<string>>, nodeOf: ReadonlyMap<string, number>): ReadonlyArray<ReadonlyArray<string>> => {
  const n = names.length
  const VISITING = 1
  const DONE = 2
  const state = new Uint8Array(n)
  const found: string[][] = []
  // Each node's edges to known nodes, found once (not at every step of the walk).
  const edges: Array<ReadonlyArray<number> | undefined> = new Array(n)
  const edgesOf = (node: number): ReadonlyArray<number> => {
    const known = edges[node]
    if (known !== undefined) return known
    const made: number[] = []
    for (const d of deps[node]!) {
      const m = nodeOf.get(d)
      if (m !== undefined) made.push(m)
    }
    edges[node] = made
    return made
  }
  // Iterative DFS: programs may have 10k-step chains, deeper than the JS stack allows recursively.
  const stackNode = new Int32Array(n)
  const stackNext = new Int32Array(n)
  for (let root = 0; root < n; root++) {
    if (state[root] !== 0) continue
    let top = 0
    stackNode[0] = root
    stackNext[0] = 0
    state[root] = VISITING
    while (top >= 0) {
      const node = stackNode[top]!
      const ds = edgesOf(node)
      if (stackNext[top]! < ds.length) {
        const d = ds[stackNext[top]!++]!
        if (state[d] === VISITING) {
          let from = 0
          while (stackNode[from] !== d) from++
          const cycle: string[] = [names[d]!]
          for (let k = top; k >= from; k--) cycle.push(names[stackNode[k]!]!)
          found.push(cycle)
        } else if (state[d] === 0) {
          state[d] = VISITING
          top++
          stackNode[top] = d
          stackNext[top] = 0
        }
      } else {
        state[node] = DONE
        top--
      }
    }
  }
  return found
}

/**
 * The uses of each step, by index. Uses are recorded step by step, so each step's run follows the
 * last; should that ever not hold, they are grouped by key instead.
 */
const usesPerStep = (uses: ReadonlyArray<C.ExprUse>, keys: ReadonlyArray<string>): ReadonlyArray<ReadonlyArray<C.ExprUse>> => {
  const out: Array<ReadonlyArray<C.ExprUse>> = new Array<ReadonlyArray<C.ExprUse>>(keys.length).fill(NO_USES)
  let i = 0
  for (const u of uses) {
    // The step's key (step keys hold no dots, so this is the path's second part).
    const key = u.segments[1] ?? ''
    while (i < keys.length && keys[i] !== key) i++
    if (i === keys.length) {
      const byKey = new Map<string, C.ExprUse[]>()
      for (const v of uses) {
        const k = v.segments[1] ?? ''
        const list = byKey.get(k)
        if (list === undefined) byKey.set(k, [v])
        else list.push(v)
      }
      return keys.map((k) => byKey.get(k) ?? NO_USES)
    }
    if (out[i] === NO_USES) out[i] = [u]
    else (out[i] as C.ExprUse[]).push(u)
  }
  return out
}
const NO_USES: ReadonlyArray<C.ExprUse> = []

// -------------------------------------------------------------------------------------
// validate
// -------------------------------------------------------------------------------------

const asRecord = (u: unknown): Record<string, unknown> => (typeof u === 'object' && u !== null && !Array.isArray(u) ? (u as Record<string, unknown>) : {})

/**
 * Decode and check a program (a value built with the constructors, or parsed JSON).
 *
 * @category validation
 */
export const validate = (given: unknown): E.Either<NonEmptyArray<SpecError>, ValidProgram> => {
  // Checked first: every walk below and after validate recurses, and would overflow the stack. The
  // scan only says whether; `tooDeep` finds the path when it does.
  const scanned = scan(given)
  const deep = scanned.deep ? tooDeep(given) : undefined
  if (deep !== undefined) {
    const steps = asRecord(given).steps
    const keyed = deep[0] === 'steps' && Array.isArray(steps) && deep.length > 1 ? ['steps', stepKeys(steps)[Number(deep[1])]!, ...deep.slice(2)] : deep
    return E.left([nestingError(keyed)])
  }
  // A JSON tuning step may give a training step as its template, as tuning() takes one.
  const input = templatesFromSteps(given)
  const { result, uses } = C.collectingUses(() => C.decode(ProgramCodec, input))

  // Graph and reference checks run on whatever is well-formed enough, so one pass reports everything.
  const raw = asRecord(input)
  const rawSteps = Array.isArray(raw.steps) ? (raw.steps as unknown[]) : []
  const rawParams = Array.isArray(raw.params) ? (raw.params as unknown[]).filter((p): p is ParamDecl => typeof asRecord(p).name === 'string') : []
  // One map of names for both the kinds and the dependency graph: a node per name, numbered in
  // order of first appearance; its kind is that of the first step of the name whose kind is known.
  const nodeOf = new Map<string, number>()
  const nodeNames: string[] = []
  const nodeKinds: Array<StepTag | undefined> = []
  const nodeSteps: number[] = []
  const stepNodes = new Int32Array(rawSteps.length).fill(-1)
  let kindCount = 0
  const duplicates: SpecError[] = []
  for (let i = 0; i < rawSteps.length; i++) {
    const { name, _tag } = asRecord(rawSteps[i])
    if (typeof name !== 'string') continue
    let n = nodeOf.get(name)
    if (n === undefined) {
      n = nodeNames.length
      nodeOf.set(name, n)
      nodeNames.push(name)
      nodeKinds.push(undefined)
      nodeSteps.push(i)
    }
    stepNodes[i] = n
    if (nodeKinds[n] !== undefined) duplicates.push({ _tag: 'DuplicateStepName', path: `steps.${i}.name`, name })
    else if (typeof _tag === 'string' && (STEP_TAGS as ReadonlyArray<string>).includes(_tag)) {
      nodeKinds[n] = _tag as StepTag
      kindCount++
    }
  }
  const kindOf = (name: string): StepTag | undefined => {
    const n = nodeOf.get(name)
    return n === undefined ? undefined : nodeKinds[n]
  }
  const kinds: Kinds = { get: kindOf, has: (name) => kindOf(name) !== undefined, size: kindCount }
  // The step a name in `kinds` stands for (the first of that name with a known kind), found when a
  // ref into a map output needs its fields.
  let rawByName: Map<string, Record<string, unknown>> | undefined
  const rawOf = (name: string): Record<string, unknown> => {
    if (rawByName === undefined) {
      rawByName = new Map()
      for (const s of rawSteps) {
        const r = asRecord(s)
        if (typeof r.name === 'string' && !rawByName.has(r.name) && kinds.get(r.name) === r._tag) rawByName.set(r.name, r)
      }
    }
    return rawByName.get(name) ?? {}
  }
  const errors: SpecError[] = result._tag === 'Left' ? result.left.map(fromIoTs(kinds)) : []
  for (const d of duplicates) errors.push(d)
  const params = new Map(rawParams.map((p) => [p.name, p]))
  for (const e of paramDeclErrors(rawParams)) errors.push(e)
  exprErrors(uses, kinds, params, rawOf, errors)
  // The scan saw every object of `given`; a converted tuning step is walked again.
  if (input !== given || scanned.existingNames.some((n) => kinds.has(n))) for (const e of existingStepErrors(input, kinds)) errors.push(e)

  const keys = stepKeys(rawSteps)
  const stepUses = usesPerStep(uses, keys)
  // The dependency graph: only the first step of a name takes part (a repeated one is reported above).
  const nodeDeps: Array<ReadonlyArray<string>> = new Array<ReadonlyArray<string>>(nodeNames.length)
  for (let i = 0; i < rawSteps.length; i++) {
    const r = asRecord(rawSteps[i])
    const after: string[] = Array.isArray(r.after) ? r.after.filter((a): a is string => typeof a === 'string') : []
    for (let j = 0; j < after.length; j++) if (!kinds.has(after[j]!)) errors.push({ _tag: 'DanglingRef', path: `steps.${keys[i]}.after.${j}`, step: after[j]! })
    const n = stepNodes[i]!
    if (n >= 0 && nodeSteps[n] === i) nodeDeps[n] = stepDependencies(after, stepUses[i]!)
  }
  for (const cycle of cycles(nodeNames, nodeDeps, nodeOf)) errors.push({ _tag: 'Cycle', path: `steps.${cycle[0]}`, steps: cycle })

  // Preset and cross-field rules need a decoded step; a step that decodes on its own is checked even
  // when another step (or a param declaration) did not, so one pass reports every layer.
  const decoded: ReadonlyArray<Step | undefined> =
    result._tag === 'Right' ? result.right.steps : rawSteps.map((s) => E.getOrElseW(() => undefined)(C.decode(Step, s)))
  for (let i = 0; i < decoded.length; i++) {
    const pes = decoded[i]?.presetErrors
    if (pes !== undefined) for (const pe of pes) errors.push({ _tag: 'Rule', path: `steps.${keys[i]}.${pe.path}`, expected: pe.expected, actual: pe.actual })
  }
  for (let i = 0; i < decoded.length; i++) {
    const s = decoded[i]
    if (s !== undefined) for (const e of (RULES[s._tag] as (s: StepOf<StepTag>, p: string) => SpecError[])(s, `steps.${keys[i]}`)) errors.push(e)
  }

  if (errors.length > 0) return E.left(errors as NonEmptyArray<SpecError>)
  const p = result._tag === 'Right' ? result.right : undefined
  const steps = p?.steps ?? []
  steps.forEach((s, i) => usesByValidStep.set(s, stepUses[i] ?? []))
  return E.right({ params: p?.params ?? [], steps } as unknown as ValidProgram)
}

// The planner needs the expression uses found while decoding: kept here, so a valid program is
// decoded once. Keyed by the step object (a decoded value is its input itself).
const usesByValidStep = new WeakMap<object, ReadonlyArray<C.ExprUse>>()

/**
 * The expression uses in a step of a program `validate` accepted, with paths from the step itself
 * (what decoding the step alone records); `undefined` for a step it has not seen.
 */
export const validatedUses = (step: object, keep?: (u: C.ExprUse) => boolean): ReadonlyArray<C.ExprUse> | undefined => {
  const found = usesByValidStep.get(step)
  if (found === undefined) return undefined
  // Program paths start `steps.<key>.`; the step's own start after them. Only the uses kept are made.
  const out: C.ExprUse[] = []
  for (const u of found) if (keep === undefined || keep(u)) out.push(C.exprUse(u.segments.slice(2), u.expr, u.kind, u.meaning))
  return out
}
