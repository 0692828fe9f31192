/**
 * What the Airflow target cannot do, found before a line of Python is written (the target's part of
 * "validate rejects the unsupported before anything starts"). Every problem names the step and the
 * request path at fault, says why, and what to do instead.
 *
 * @since 0.1.0
 */
import { runTimeType, type RunTimeType } from '../../spec/run-time-type.js'
import type { StepTag } from '../../spec/step.js'
import type { Code, Expr } from '../../spec/val.js'
import { isExpr } from '../../spec/val.js'
import type { Plan, PlannedStep } from '../plan/plan.js'
import { codeKey } from '../code/pack.js'
import { OPERATORS } from './operators.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * How a code archive reaches S3 at run time: the operator tars one local path itself (`TarAtRunTime`),
 * or uploads the archive sagespec packed, byte for byte (`Archive`). `path` is as the Airflow worker
 * sees it.
 *
 * @category model
 */
export type CodeUpload =
  | { readonly _tag: 'TarAtRunTime'; readonly sha256: string; readonly path: string; readonly servingSha256?: string }
  | { readonly _tag: 'Archive'; readonly sha256: string; readonly path: string; readonly servingSha256?: string }
// `servingSha256`: the sha256 of the same code laid out as a model's `code/` (what names a repack).

/** @category errors */
export type ExportError =
  | { readonly _tag: 'LocalOnly'; readonly path: string; readonly value: string }
  | { readonly _tag: 'UncastTemplate'; readonly path: string; readonly operator: string; readonly valueType: ValueType }
  | { readonly _tag: 'NoOperator'; readonly path: string; readonly kind: string; readonly reason: string }
  | { readonly _tag: 'EndpointUpdateRequired'; readonly path: string }
  | { readonly _tag: 'RequiredParamOnSchedule'; readonly path: string; readonly param: string }
  | { readonly _tag: 'CodeNotPacked'; readonly path: string; readonly entryPoint: string }
  | { readonly _tag: 'CodeNeedsArchive'; readonly path: string; readonly dependencies: ReadonlyArray<string> }
  | { readonly _tag: 'InvalidOption'; readonly path: string; readonly expected: string; readonly actual: unknown }

export type ValueType = RunTimeType

// -------------------------------------------------------------------------------------
// walking configs
// -------------------------------------------------------------------------------------

export interface Leaf {
  /** Dotted, with list indexes: `InputDataConfig.0.ChannelName`. */
  readonly path: string
  /** Keys only, as operators address fields: `InputDataConfig.ChannelName`. */
  readonly field: string
  readonly value: unknown
}

/** Every scalar or symbolic leaf of a config, in document order. */
export const leaves = (config: unknown): ReadonlyArray<Leaf> => {
  const out: Leaf[] = []
  eachLeaf(config, (value, at) => void out.push({ path: pathOf(at), field: fieldOf(at), value }))
  return out
}

/** Keys and list indexes, dotted: `InputDataConfig.0.ChannelName`. */
const pathOf = (at: ReadonlyArray<string | number>): string => at.join('.')

/** Keys only, dotted: `InputDataConfig.ChannelName`. */
const fieldOf = (at: ReadonlyArray<string | number>): string => {
  let field: string | undefined
  for (const k of at) if (typeof k === 'string') field = field === undefined ? k : `${field}.${k}`
  return field ?? ''
}

/**
 * Visit every scalar or symbolic leaf of a config, in document order, with the keys and list indexes
 * leading to it (one stack, pushed and popped on the way, so deep configs are not copied at each
 * level, and a visitor joins it only for the leaves it reports). The exporter's printer visits the
 * same leaves with the same stack as it prints a config.
 */
export const eachLeaf = (config: unknown, visit: (value: unknown, at: ReadonlyArray<string | number>) => void): void => {
  const at: Array<string | number> = []
  const go = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        if (!(i in v)) continue // a hole, skipped as forEach skips it
        at.push(i)
        go(v[i])
        at.pop()
      }
      return
    }
    if (typeof v === 'object' && v !== null && !isExpr(v)) {
      for (const k of Object.keys(v)) {
        const x = (v as Record<string, unknown>)[k]
        if (x !== undefined) {
          at.push(k)
          go(x)
          at.pop()
        }
      }
      return
    }
    visit(v, at)
  }
  go(config)
}

/** Every `Code` inside a value, joins included. */
export const codesIn = (v: unknown): ReadonlyArray<Code> => {
  const out: Code[] = []
  const go = (x: unknown): void => {
    if (isExpr(x)) {
      if (x._tag === 'Code') out.push(x)
      if (x._tag === 'Join') x.values.forEach(go)
      if (x._tag === 'Json') go(x.value)
      // A repack task builds code/ from the uploaded archive.
      if (x._tag === 'Repack') go(x.code)
      return
    }
    if (Array.isArray(x)) return x.forEach(go)
    if (typeof x === 'object' && x !== null) Object.values(x).forEach(go)
  }
  go(v)
  return out
}

/** Whether `codesIn(v)` finds anything, without collecting: most symbolic values hold no code. */
export const holdsCode = (v: unknown): boolean => {
  if (typeof v !== 'object' || v === null) return false
  if (isExpr(v)) {
    switch (v._tag) {
      case 'Code':
        return true
      case 'Join':
        return v.values.some(holdsCode)
      case 'Json':
        return holdsCode(v.value)
      case 'Repack':
        return holdsCode(v.code)
      default:
        return false
    }
  }
  if (Array.isArray(v)) return v.some(holdsCode)
  for (const k of Object.keys(v)) if (holdsCode((v as Record<string, unknown>)[k])) return true
  return false
}

/** The type a symbolic value has at run time. */
export const valueType = (e: Expr, plan: Plan, kinds: ReadonlyMap<string, StepTag>): ValueType =>
  runTimeType(e, { params: paramsOf(plan), kinds })

// Looked up for every symbolic leaf: built once per plan.
const paramMaps = new WeakMap<Plan, ReadonlyMap<string, Plan['params'][number]>>()
const paramsOf = (plan: Plan): ReadonlyMap<string, Plan['params'][number]> => {
  const known = paramMaps.get(plan)
  if (known !== undefined) return known
  const made = new Map(plan.params.map((d) => [d.name, d]))
  paramMaps.set(plan, made)
  return made
}

/** The literal text a value starts with, looking into joins. */
const leadingText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : isExpr(v) && v._tag === 'Join' && v.values.length > 0 ? leadingText(v.values[0]) : undefined

// -------------------------------------------------------------------------------------
// checks
// -------------------------------------------------------------------------------------

export interface CheckOptions {
  readonly schedule: string | null
  readonly code?: ReadonlyMap<string, CodeUpload>
}

const NONE: ReadonlySet<string> = new Set()

/** Walks a step's config once, calling `visit` at every leaf (`eachLeaf`, or the exporter's printer). */
export type ConfigWalk = (config: Readonly<Record<string, unknown>>, visit: (value: unknown, at: ReadonlyArray<string | number>) => void) => void

/**
 * The problems of one step, pushed onto `errors` in order, its config walked once by `walk`: the
 * exporter prints the config in the same walk, so a plan is not walked twice.
 */
export const checkStep = (s: PlannedStep, plan: Plan, kinds: ReadonlyMap<string, StepTag>, options: CheckOptions, errors: ExportError[], walk: ConfigWalk): void => {
  const at = (p: string) => `steps.${s.name}${p === '' ? '' : `.${p}`}`
  const op = OPERATORS[s.kind]
  if (op._tag === 'NoOperator') return void errors.push({ _tag: 'NoOperator', path: at(''), kind: s.kind, reason: op.reason })
  const fromOverrides: ReadonlySet<string> =
    s.step.overrides === undefined
      ? NONE
      : new Set(
          leaves(s.step.overrides)
            .filter((l) => isExpr(l.value))
            .map((l) => [...op.overridesAt, l.field].join('.')),
        )
  let seen: Set<string> | undefined
  // Only file:// text and symbolic leaves can be wrong here: the others are passed without joining their paths.
  walk(op.config(s.requests), (value, keys) => {
    if (typeof value === 'string') {
      if (value.startsWith('file://')) errors.push({ _tag: 'LocalOnly', path: at(pathOf(keys)), value })
      return
    }
    if (!isExpr(value)) return
    const text = leadingText(value)
    if (text !== undefined && text.startsWith('file://')) errors.push({ _tag: 'LocalOnly', path: at(pathOf(keys)), value: text })
    const field = fieldOf(keys)
    const listed = op.nonStringFields.includes(field)
    // The type is looked up only where it matters: a field that is not a string, or one an override set.
    if (listed || fromOverrides.has(field)) {
      const type = valueType(value, plan, kinds)
      const castable = op.integerFields.includes(field) && (type === 'integer' || (type === 'number' && value._tag === 'Ref'))
      if ((listed || type !== 'string') && !castable) errors.push({ _tag: 'UncastTemplate', path: at(pathOf(keys)), operator: op.className, valueType: type })
    }
    if (!holdsCode(value)) return
    for (const c of codesIn(value)) {
      const key = codeKey(c)
      seen ??= new Set()
      if (seen.has(key)) continue
      seen.add(key)
      const upload = options.code?.get(key)
      if (upload === undefined) errors.push({ _tag: 'CodeNotPacked', path: at(pathOf(keys)), entryPoint: c.entryPoint })
      else if (upload._tag === 'TarAtRunTime' && (c.dependencies ?? []).length > 0)
        errors.push({ _tag: 'CodeNeedsArchive', path: at(pathOf(keys)), dependencies: c.dependencies ?? [] })
    }
  })
  if (s.kind === 'Endpoint' && s.requests.some((r) => r._tag === 'CreateEndpoint' && r.orUpdate === undefined))
    errors.push({ _tag: 'EndpointUpdateRequired', path: at('update') })
}

/** A scheduled DAG cannot ask for a parameter: each one without a default is a problem. */
export const scheduleProblems = (plan: Plan, options: CheckOptions): ReadonlyArray<ExportError> =>
  options.schedule === null
    ? []
    : plan.params.filter((d) => d.default === undefined).map((d): ExportError => ({ _tag: 'RequiredParamOnSchedule', path: `params.${d.name}`, param: d.name }))

/**
 * Everything that keeps `plan` from becoming a DAG with these options; empty when it can.
 *
 * @category validation
 */
export const airflowProblems = (plan: Plan, options: CheckOptions): ReadonlyArray<ExportError> => {
  const kinds = new Map(plan.steps.map((s) => [s.name, s.kind]))
  const errors = [...scheduleProblems(plan, options)]
  for (const s of plan.steps) checkStep(s, plan, kinds, options, errors, eachLeaf)
  return errors
}

// -------------------------------------------------------------------------------------
// messages
// -------------------------------------------------------------------------------------

const show = (u: unknown): string => {
  const s = JSON.stringify(u)
  return s === undefined ? String(u) : s
}

/** One line a person can act on. @category destructors */
export const describeExportError = (e: ExportError): string => {
  switch (e._tag) {
    case 'LocalOnly':
      return `${e.path}: ${show(e.value)} is a local file:// location, which only local runs can read; an Airflow DAG runs on SageMaker, so use an s3:// location`
    case 'UncastTemplate':
      return (
        `${e.path}: a ${e.valueType} decided at run time cannot go here in Airflow: templates render to strings, and ${e.operator} ` +
        `turns back into integers only its own integer fields; use a literal, or bind the parameter when exporting (--param name=value)`
      )
    case 'NoOperator':
      return `${e.path}: a ${e.kind} step cannot be exported to Airflow: ${e.reason}; run this program with the AWS runner`
    case 'EndpointUpdateRequired':
      return `${e.path}: the endpoint must not be updated, but SageMakerEndpointOperator always updates an endpoint that exists; set update: true, or deploy it with the AWS runner`
    case 'RequiredParamOnSchedule':
      return `${e.path}: parameter "${e.param}" has no default, and scheduled runs cannot supply one (Airflow refuses such a DAG); give it a default, bind it with --param ${e.param}=value, or export with --schedule none`
    case 'CodeNotPacked':
      return `${e.path}: code with entry point "${e.entryPoint}" was not packed before export (pack it with packCode and pass its hash in options.code)`
    case 'CodeNeedsArchive':
      return (
        `${e.path}: code with dependencies (${e.dependencies.join(', ')}) cannot be tarred by the operator, which packs a single path; ` +
        `export with --code-archive-dir DIR so the DAG uploads sagespec's own archive`
      )
    case 'InvalidOption':
      return `${e.path}: expected ${e.expected}, found ${show(e.actual)}`
  }
}
