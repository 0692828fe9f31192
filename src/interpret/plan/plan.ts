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
import { dependenciesOf, validatedUses, type ValidProgram } from '../../spec/validate.js'
import type { Code, Join, Ref, Repack, Val } from '../../spec/val.js'
import { collectExprs, isCode, isRepack, jsonOf } from '../../spec/val.js'
import type { DescribeOperation, StopOperation } from './operations.js'
import { isStringValued, type EncodeContext } from './hyperparameters.js'
import * as R from './requests.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How an executor follows what a step made: the Describe call (by the physical name), the status
 * field it reads, which statuses end the step and how. The Describe response is also where the step's
 * outputs come from (`spec/outputs.ts` lists the paths refs may take).
 */
export interface Watch {
  readonly describe: DescribeOperation
  /** The Describe request: the name field and the physical name. */
  readonly input: Readonly<Record<string, Val<string> | Join>>
  /** Absent: existing is done (a model has no status). */
  readonly statusField?: string
  readonly done: ReadonlyArray<string>
  readonly failed: ReadonlyArray<string>
  readonly reasonField?: string
  /** How to stop it while it runs (jobs only). */
  readonly stop?: { readonly op: StopOperation; readonly input: Readonly<Record<string, Val<string> | Join>> }
}

export interface PlannedStep {
  readonly name: string
  readonly kind: StepTag
  /** Steps this one waits for: its `after` list, then the steps its refs point at, in field order. */
  readonly dependsOn: ReadonlyArray<string>
  /** The name of what it creates: a job, a model or an endpoint — read from its request's own name field. */
  readonly physicalName: Val<string> | Join
  readonly requests: ReadonlyArray<R.Request>
  readonly watch: Watch
  readonly step: Step
}

/**
 * Something a run must stage before the steps that use it: a code archive (packed from local files,
 * staged before anything runs), or a model archive repacked with its serving code (after the steps
 * that make the model — `dependsOn` — and before the steps that use it).
 */
export type Asset =
  | {
      readonly _tag: 'CodeArchive'
      readonly code: Code
      /** The steps whose requests hold it. */
      readonly usedBy: ReadonlyArray<string>
    }
  | {
      readonly _tag: 'Repack'
      readonly repack: Repack
      readonly usedBy: ReadonlyArray<string>
      /** The steps whose outputs name the original archive (the training job). */
      readonly dependsOn: ReadonlyArray<string>
    }

export interface Plan {
  readonly params: ReadonlyArray<ParamDecl>
  readonly steps: ReadonlyArray<PlannedStep>
  /** Code archives, once each (by their description), in plan order. */
  readonly assets: ReadonlyArray<Asset>
}

// -------------------------------------------------------------------------------------
// compiling
// -------------------------------------------------------------------------------------

type Compiled = { readonly physicalName: Val<string> | Join; readonly requests: ReadonlyArray<R.Request>; readonly watch: Watch }

/**
 * Per kind: its requests, the request whose name field names what the step makes, and how it is
 * watched. Adding a kind is a compile error here until it is handled.
 */
const KINDS: {
  readonly [K in StepTag]: {
    readonly requests: (s: StepOf<K>, ctx: EncodeContext) => ReadonlyArray<R.Request>
    readonly named: R.RequestTag
    readonly watch: Omit<Watch, 'input' | 'stop'> & { readonly stop?: StopOperation }
  }
} = {
  Training: {
    requests: (s, ctx) => [{ _tag: 'CreateTrainingJob', input: R.createTrainingJob(s, ctx) }],
    named: 'CreateTrainingJob',
    watch: { describe: 'DescribeTrainingJob', statusField: 'TrainingJobStatus', done: ['Completed'], failed: ['Failed', 'Stopped'], reasonField: 'FailureReason', stop: 'StopTrainingJob' },
  },
  Tuning: {
    requests: (s, ctx) => [{ _tag: 'CreateHyperParameterTuningJob', input: R.createHyperParameterTuningJob(s, ctx) }],
    named: 'CreateHyperParameterTuningJob',
    watch: {
      describe: 'DescribeHyperParameterTuningJob',
      statusField: 'HyperParameterTuningJobStatus',
      done: ['Completed'],
      failed: ['Failed', 'Stopped'],
      reasonField: 'FailureReason',
      stop: 'StopHyperParameterTuningJob',
    },
  },
  Model: { requests: (s) => [{ _tag: 'CreateModel', input: R.createModel(s) }], named: 'CreateModel', watch: { describe: 'DescribeModel', done: [], failed: [] } },
  Endpoint: {
    requests: (s) => [{ _tag: 'CreateEndpointConfig', input: R.createEndpointConfig(s) }, R.createEndpoint(s)],
    named: 'CreateEndpoint',
    watch: { describe: 'DescribeEndpoint', statusField: 'EndpointStatus', done: ['InService'], failed: ['Failed', 'OutOfService'], reasonField: 'FailureReason' },
  },
  Transform: {
    requests: (s) => [{ _tag: 'CreateTransformJob', input: R.createTransformJob(s) }],
    named: 'CreateTransformJob',
    watch: { describe: 'DescribeTransformJob', statusField: 'TransformJobStatus', done: ['Completed'], failed: ['Failed', 'Stopped'], reasonField: 'FailureReason', stop: 'StopTransformJob' },
  },
  ModelPackage: {
    requests: (s) => [{ _tag: 'CreateModelPackage', input: R.createModelPackage(s) }],
    named: 'CreateModelPackage',
    watch: { describe: 'DescribeModelPackage', statusField: 'ModelPackageStatus', done: ['Completed'], failed: ['Failed', 'Deleting'] },
  },
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
  // A step of a validated program comes with the uses `validate` found; any other is decoded here.
  const printed = (u: C.ExprUse): boolean => u.kind === 'string' && !isStringValued(u.expr, ctx)
  const uses = validatedUses(s, printed) ?? C.collectingUses(() => StepCodec.decode(s)).uses.filter(printed)
  return uses.reduce<Step>((acc, u) => (isHyperParameter(u.segments) ? acc : (setAt(acc, u.segments, jsonOf(u.expr)) as Step)), s)
}

export const compileStep = (s: Step, ctx: EncodeContext): Compiled => {
  const kind = KINDS[s._tag] as (typeof KINDS)[StepTag] & { readonly requests: (s: Step, ctx: EncodeContext) => ReadonlyArray<R.Request> }
  const requests = kind.requests(s, ctx)
  let named = requests[0]!
  for (let i = 1; named._tag !== kind.named; i++) named = requests[i]!
  // The name is whatever the request sends (an override of the name field included), so a describe
  // by name finds what was created.
  const field = R.NAME_FIELDS[kind.named]
  const physicalName = (named.input as Readonly<Record<string, Val<string> | Join>>)[field]!
  // Every Describe call takes the name under the same field its Create call sends it in.
  return { physicalName, requests, watch: watchOf(kind.watch, DESCRIBE_INPUT[kind.named](physicalName)) }
}

// One object literal per name field (a computed key makes each in the slow, dictionary way).
const DESCRIBE_INPUT: { readonly [K in R.RequestTag]: (name: Val<string> | Join) => Watch['input'] } = {
  CreateTrainingJob: (name) => ({ TrainingJobName: name }),
  CreateHyperParameterTuningJob: (name) => ({ HyperParameterTuningJobName: name }),
  CreateModel: (name) => ({ ModelName: name }),
  CreateEndpointConfig: (name) => ({ EndpointConfigName: name }),
  CreateEndpoint: (name) => ({ EndpointName: name }),
  CreateTransformJob: (name) => ({ TransformJobName: name }),
  CreateModelPackage: (name) => ({ ModelPackageName: name }),
}

// Field by field (in the table's order) rather than by spreads: one is made per step, and the
// planner's time goes mostly to allocating.
const watchOf = (w: (typeof KINDS)[StepTag]['watch'], input: Watch['input']): Watch => {
  const out: { -readonly [K in keyof Watch]: Watch[K] } = { describe: w.describe } as Watch
  if (w.statusField !== undefined) out.statusField = w.statusField
  out.done = w.done
  out.failed = w.failed
  if (w.reasonField !== undefined) out.reasonField = w.reasonField
  out.input = input
  if (w.stop !== undefined) out.stop = { op: w.stop, input }
  return out
}

/** Code archives and repacks the steps' requests hold, once each, in plan order. */
export const assetsOf = (steps: ReadonlyArray<PlannedStep>): ReadonlyArray<Asset> => assetsIn(steps, () => true)

// The walk of `assetsOf`, over the steps `mayHold` allows: a step whose program value holds no code
// archive cannot have one in its requests (the builders only move the step's own values there).
const assetsIn = (steps: ReadonlyArray<PlannedStep>, mayHold: (p: PlannedStep) => boolean): ReadonlyArray<Asset> => {
  const found = new Map<string, { asset: Code | Repack; usedBy: string[] }>()
  const go = (v: unknown, step: string): void => {
    // A repack's code goes into the model archive, not to S3 on its own.
    if (isCode(v) || isRepack(v)) {
      const key = JSON.stringify(v)
      const at = found.get(key)
      if (at === undefined) found.set(key, { asset: v, usedBy: [step] })
      else if (!at.usedBy.includes(step)) at.usedBy.push(step)
      return
    }
    if (Array.isArray(v)) for (const x of v) go(x, step)
    else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) go(x, step)
  }
  for (const p of steps) if (mayHold(p)) go(p.requests, p.name)
  return [...found.values()].map(({ asset, usedBy }): Asset =>
    isRepack(asset)
      ? { _tag: 'Repack', repack: asset, usedBy, dependsOn: [...new Set(collectExprs(asset.model).refs.map((r) => r.step))] }
      : { _tag: 'CodeArchive', code: asset, usedBy },
  )
}

/**
 * One walk of a step: its refs as `collectExprs` finds them (in document order, none inside another
 * ref or param), and whether a code archive is anywhere in it.
 */
const scanStep = (s: Step): { readonly refs: ReadonlyArray<Ref<unknown>>; readonly hasCode: boolean; readonly namesFile: boolean } => {
  const refs: Array<Ref<unknown>> = []
  let hasCode = false
  let namesFile = false
  const go = (v: unknown, inExpr: boolean): void => {
    if (typeof v !== 'object' || v === null) {
      if (typeof v === 'string' && v.startsWith('file://')) namesFile = true
      return
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) go(v[i], inExpr)
      return
    }
    const tag = (v as { _tag?: unknown })._tag
    if (tag === 'Code') hasCode = true
    else if (tag === 'Ref' || tag === 'Param') {
      if (!inExpr && tag === 'Ref') refs.push(v as Ref<unknown>)
      inExpr = true
      // Nothing below a ref matters, unless something odd hides a code archive there.
      if (hasCode) return
    }
    const keys = Object.keys(v)
    for (let i = 0; i < keys.length; i++) go((v as Record<string, unknown>)[keys[i]!], inExpr)
  }
  go(s, false)
  return { refs, hasCode, namesFile }
}

// The plans `toPlan` made, with the steps whose program values name a `file://` location (the
// builders only move a step's own values into its requests, so no other step's requests can).
// Kept aside rather than in the plan: it is what the planner knows, not part of what it plans.
const FILE_STEPS = new WeakMap<Plan, ReadonlySet<string>>()

/**
 * The steps whose requests may name a `file://` location: for a plan `toPlan` made (or one derived from
 * it that `vouchFiles` was told of), the few its scan found; for any other plan, undefined (every step may).
 */
export const stepsNamingFiles = (plan: Plan): ReadonlySet<string> | undefined => FILE_STEPS.get(plan)

/** `derived` names `file://` locations only where `from` does (its other requests are `from`'s, or S3 URIs). */
export const vouchFiles = (from: Plan, derived: Plan): Plan => {
  const steps = FILE_STEPS.get(from)
  if (steps !== undefined) FILE_STEPS.set(derived, steps)
  return derived
}

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
  // Placed at once when nothing it waits for is left to place (programs are mostly written in
  // dependency order): the walk below would place it right there too, after no other step.
  const ready = (ds: ReadonlyArray<string>): boolean => {
    for (let i = 0; i < ds.length; i++) if (!placed.has(ds[i]!) && byName.has(ds[i]!)) return false
    return true
  }
  for (const root of steps) {
    if (placed.has(root.name)) continue
    if (ready(deps.get(root.name) ?? [])) {
      placed.add(root.name)
      out.push(root)
      continue
    }
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
  const scans = new Map<string, ReturnType<typeof scanStep>>()
  const deps = new Map<string, ReadonlyArray<string>>()
  const kinds = new Map<string, StepTag>()
  for (const s of p.steps) {
    const scan = scanStep(s)
    scans.set(s.name, scan)
    deps.set(s.name, dependenciesOf(s.after, scan.refs))
    kinds.set(s.name, s._tag)
  }
  const ctx: EncodeContext = { params: new Map(p.params.map((d) => [d.name, d])), kinds }
  const ordered = topoOrder(p.steps, deps)
  const steps = new Array<PlannedStep>(ordered.length)
  for (let i = 0; i < ordered.length; i++) {
    const s = ordered[i]!
    const c = compileStep(printNumbers(s, ctx), ctx)
    steps[i] = { name: s.name, kind: s._tag, dependsOn: deps.get(s.name) ?? [], physicalName: c.physicalName, requests: c.requests, watch: c.watch, step: s }
  }
  const plan: Plan = { params: p.params, steps, assets: assetsIn(steps, (s) => scans.get(s.name)!.hasCode) }
  const namingFiles = new Set<string>()
  for (const [name, scan] of scans) if (scan.namesFile) namingFiles.add(name)
  FILE_STEPS.set(plan, namingFiles)
  return plan
}
