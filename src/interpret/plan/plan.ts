/**
 * The plan: a valid program compiled, purely and deterministically, into steps in dependency order,
 * each with the exact SageMaker requests it will send (refs, params and the run stamp still symbolic).
 * Same program in, byte-identical plan out: no clock, no randomness, no I/O.
 *
 * @since 0.1.0
 */
import type { ParamDecl } from '../../spec/program.js'
import * as C from '../../spec/codec.js'
import { Step as StepCodec, type Step, type StepOf, type StepTag } from '../../spec/step.js'
import { dependenciesOf, type ValidProgram } from '../../spec/validate.js'
import type { Join, Val } from '../../spec/val.js'
import { collectExprs, jsonOf } from '../../spec/val.js'
import { isStringValued, type EncodeContext } from './hyperparameters.js'
import * as R from './requests.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export interface PlannedStep {
  readonly name: string
  readonly kind: StepTag
  /** Steps this one waits for: its `after` list, then the steps its refs point at, in field order. */
  readonly dependsOn: ReadonlyArray<string>
  /** The name of what it creates: a job, a model or an endpoint. */
  readonly physicalName: Val<string> | Join
  readonly requests: ReadonlyArray<R.Request>
  readonly step: Step
}

export interface Plan {
  readonly params: ReadonlyArray<ParamDecl>
  readonly steps: ReadonlyArray<PlannedStep>
}

// -------------------------------------------------------------------------------------
// compiling
// -------------------------------------------------------------------------------------

type Compiled = { readonly physicalName: Val<string> | Join; readonly requests: ReadonlyArray<R.Request> }

/** One entry per step kind: adding a kind is a compile error here until it is handled. */
const COMPILERS: { readonly [K in StepTag]: (s: StepOf<K>, ctx: EncodeContext) => Compiled } = {
  Training: (s, ctx) => ({ physicalName: R.trainingJobName(s), requests: [{ _tag: 'CreateTrainingJob', input: R.createTrainingJob(s, ctx) }] }),
  Tuning: (s, ctx) => ({
    physicalName: R.tuningJobName(s),
    requests: [{ _tag: 'CreateHyperParameterTuningJob', input: R.createHyperParameterTuningJob(s, ctx) }],
  }),
  Model: (s) => ({ physicalName: R.modelName(s), requests: [{ _tag: 'CreateModel', input: R.createModel(s) }] }),
  Endpoint: (s) => ({
    physicalName: R.endpointName(s),
    requests: [{ _tag: 'CreateEndpointConfig', input: R.createEndpointConfig(s) }, R.createEndpoint(s)],
  }),
  Transform: (s) => ({ physicalName: R.transformJobName(s), requests: [{ _tag: 'CreateTransformJob', input: R.createTransformJob(s) }] }),
  ModelPackage: (s) => ({ physicalName: R.modelPackageName(s), requests: [{ _tag: 'CreateModelPackage', input: R.createModelPackage(s) }] }),
}

/** The value with `x` at `segments` (copies along the way; a path that does not exist changes nothing). */
const setAt = (v: unknown, segments: ReadonlyArray<string>, x: unknown): unknown => {
  const [k, ...rest] = segments
  if (k === undefined) return x
  if (typeof v !== 'object' || v === null || !Object.prototype.hasOwnProperty.call(v, k)) return v
  if (Array.isArray(v)) return v.map((y, i) => (String(i) === k ? setAt(y, rest, x) : y))
  return { ...v, [k]: setAt((v as Record<string, unknown>)[k], rest, x) }
}

// Hyperparameters follow their own encoding (a number in a `json` job stays unquoted).
const isHyperParameter = (segments: ReadonlyArray<string>): boolean =>
  segments[0] === 'hyperParameters' || (segments[0] === 'training' && segments[1] === 'hyperParameters')

/**
 * `validate` lets a number-valued param or ref fill a string field (it is printed there), but
 * SageMaker takes only strings in such fields: the request holds a Json leaf that prints the number.
 */
export const printNumbers = (s: Step, ctx: EncodeContext): Step => {
  const { uses } = C.collectingUses(() => StepCodec.decode(s))
  return uses.reduce<Step>(
    (acc, u) => (u.kind === 'string' && !isStringValued(u.expr, ctx) && !isHyperParameter(u.segments) ? (setAt(acc, u.segments, jsonOf(u.expr)) as Step) : acc),
    s,
  )
}

export const compileStep = (s: Step, ctx: EncodeContext): Compiled => (COMPILERS[s._tag] as (s: Step, ctx: EncodeContext) => Compiled)(s, ctx)

/** Dependencies of each step (`after` first, then refs in field order), without duplicates. */
export const dependencies = (steps: ReadonlyArray<Step>): ReadonlyMap<string, ReadonlyArray<string>> =>
  new Map(
    steps.map((s) => [s.name, dependenciesOf(s.after, collectExprs(s).refs)]),
  )

/**
 * Topological order that stays as close to the program's own order as possible: each step is placed
 * right after the last of its dependencies has been, visiting in program order. Iterative, so
 * 10,000-step chains do not overflow the stack. The program is valid, so there are no cycles.
 */
export const topoOrder = (steps: ReadonlyArray<Step>, deps: ReadonlyMap<string, ReadonlyArray<string>>): ReadonlyArray<Step> => {
  const byName = new Map(steps.map((s) => [s.name, s]))
  const placed = new Set<string>()
  const out: Step[] = []
  for (const root of steps) {
    if (placed.has(root.name)) continue
    const stack: Array<{ name: string; next: number }> = [{ name: root.name, next: 0 }]
    const onStack = new Set([root.name])
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!
      const ds = deps.get(top.name) ?? []
      if (top.next < ds.length) {
        const d = ds[top.next++]!
        if (!placed.has(d) && byName.has(d) && !onStack.has(d)) {
          stack.push({ name: d, next: 0 })
          onStack.add(d)
        }
      } else {
        stack.pop()
        onStack.delete(top.name)
        if (!placed.has(top.name)) {
          placed.add(top.name)
          out.push(byName.get(top.name)!)
        }
      }
    }
  }
  return out
}

/**
 * Compile a valid program.
 *
 * @category interpreters
 */
export const toPlan = (p: ValidProgram): Plan => {
  const deps = dependencies(p.steps)
  const ctx: EncodeContext = {
    params: new Map(p.params.map((d) => [d.name, d])),
    kinds: new Map(p.steps.map((s) => [s.name, s._tag])),
  }
  return {
    params: p.params,
    steps: topoOrder(p.steps, deps).map((s) => ({ name: s.name, kind: s._tag, dependsOn: deps.get(s.name) ?? [], ...compileStep(printNumbers(s, ctx), ctx), step: s })),
  }
}
