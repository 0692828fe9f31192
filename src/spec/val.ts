/**
 * Leaf values. Any field SageMaker would accept at run time holds a `Val<A>`: a literal, a `Ref` to an
 * output of another step, a `Param` given at run time, or (for strings) a `Join` / the `RunId`.
 * All of them are plain, serialisable data; none is assignable to `string`, so a reference can never be
 * concatenated by accident — `join` is the explicit way.
 *
 * @since 0.1.0
 */

// A phantom (covariant) member keeps `Ref<string>` and `Ref<number>` apart at the type level without any
// runtime field: a `Ref<'File'>` fits a string field, a `Ref<number>` does not.
declare const phantom: unique symbol
// A second one carries what the value means (see `meaning.ts`): `Ref<string, 'ModelName'>` fits only
// fields that take a model name. Its default, `any`, is a ref of unknown meaning (made with `ref` or
// passed through a preset option typed `Val<string>`): the compiler lets it through and `validate`
// checks it.
declare const meaningPhantom: unique symbol

import type { Accepts, FieldMeaning, Meaning } from './meaning.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model */
export interface Ref<A, M extends Meaning = any> {
  readonly _tag: 'Ref'
  /** Logical name of the step whose output this points at. */
  readonly step: string
  /** Path into that step's Describe* response, e.g. `['ModelArtifacts', 'S3ModelArtifacts']`. */
  readonly path: ReadonlyArray<string>
  readonly [phantom]?: A
  readonly [meaningPhantom]?: M
}

/**
 * A resource made outside the program, by its name: what fields that name another resource (an
 * endpoint variant's or a transform's model, warm-start parents, a container's model package) take
 * instead of a bare string. It adds no dependency; the plan sends the name as it is and shows it as
 * existing. Not an `Expr`: the planner replaces it by its name, so no request holds one.
 *
 * @category model
 */
export interface Existing {
  readonly _tag: 'Existing'
  readonly name: string
}

/** @category model */
export type ParamType = 'String' | 'Integer' | 'Float' | 'Boolean'

/** The JS type a parameter of each declared type holds. */
export type ParamValue<T extends ParamType> = T extends 'String'
  ? string
  : T extends 'Boolean'
    ? boolean
    : number

/**
 * A value supplied when the program runs. Use sites may carry the whole declaration (what the
 * `param.*` constructors produce) or only the name (hand-written JSON); `program` collects the
 * declarations and `validate` checks every use site against them.
 *
 * @category model
 */
export interface Param<A> {
  readonly _tag: 'Param'
  readonly name: string
  readonly type?: ParamType
  readonly default?: string | number | boolean
  readonly allowed?: ReadonlyArray<string | number | boolean>
  readonly description?: string
  readonly [phantom]?: A
}

/** A string built from parts at run time (SageMaker Pipelines' `Std:Join`). @category model */
export interface Join {
  readonly _tag: 'Join'
  readonly on: string
  readonly values: ReadonlyArray<JoinPart>
}

/** The run's unique stamp (a run id on AWS/local, `{{ ts_nodash }}` in Airflow, `<run>` in a dry run). */
export interface RunId {
  readonly _tag: 'RunId'
}

/**
 * Training code to pack and upload: `sourcedir.tar.gz` with the contents of `sourceDir` at the archive
 * root and each dependency directory beside them. It becomes `<s3Prefix>/<sha256 of the archive
 * contents>/sourcedir.tar.gz` when a run packs it, so identical code is uploaded once and plans stay
 * deterministic.
 */
export interface Code {
  readonly _tag: 'Code'
  /** The script to run, relative to `sourceDir` when there is one. */
  readonly entryPoint: string
  readonly sourceDir?: string
  readonly dependencies?: ReadonlyArray<string>
  /** Where archives go, e.g. `s3://bucket/code`. */
  readonly s3Prefix: string
}

/**
 * A model archive with the serving code added: the archive at `model` (usually a training job's
 * artifacts) with `code/` — the source directory (or the entry point) and `code/lib/<dependency>` — as
 * framework serving containers that load code from the model read it. It becomes
 * `<s3Prefix>/<sha256 of the archive and the code>/model.tar.gz` when a run repacks it.
 */
export interface Repack {
  readonly _tag: 'Repack'
  readonly model: Val<string>
  readonly code: Code
}

/**
 * The JSON text of a value known only at run time: `"…"` with escapes for a string, the number or
 * `true`/`false` otherwise. The planner makes these (JSON-encoded hyperparameters, numbers printed in
 * string fields); programs do not contain them.
 */
export interface Json {
  readonly _tag: 'Json'
  readonly value: Expr
}

export type JoinPart = string | number | Ref<string> | Ref<number> | Param<string> | Param<number> | Join | RunId | Code | Json | Repack

/** @category model */
export type Val<A> =
  | A
  | Ref<A>
  | Param<A>
  | ([A] extends [string] ? Join | RunId | Code | Json | Repack : never)

/**
 * A string field of a given meaning: a literal (checked by its own pattern), a ref of a meaning the
 * field accepts, a param, a join or the run id (both explicit construction, so they take the field's
 * meaning), and a code archive (an S3 URI).
 *
 * @category model
 */
export type StrVal<F extends FieldMeaning, L extends string = string> =
  | L
  | Ref<string, Accepts[F]>
  | Param<string>
  | Join
  | RunId
  | Json
  // Code archives are S3 URIs: `validate` refuses one elsewhere. The type keeps it, so that preset
  // options typed `Val<string>` still fit every string field. A repacked model archive likewise.
  | Code
  | Repack

/**
 * A field that names another resource: a ref to the step that makes it, or `existing('name')` — never
 * a bare string. Params, joins and the run id are explicit, so they fit too.
 *
 * @category model
 */
export type RefVal<F extends FieldMeaning> = Ref<string, Accepts[F]> | Existing | Param<string> | Join | RunId

/** Any symbolic leaf. @category model */
export type Expr = Ref<unknown> | Param<unknown> | Join | RunId | Code | Json | Repack

export const EXPR_TAGS: ReadonlySet<string> = new Set(['Ref', 'Param', 'Join', 'RunId', 'Code', 'Json', 'Repack'])

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

/** @category constructors */
export const ref = <A>(step: string, path: ReadonlyArray<string>): Ref<A> =>
  // A frozen path is shared as it is (the outputs' own paths are made once, not per step).
  Object.freeze({ _tag: 'Ref', step, path: Array.isArray(path) && Object.isFrozen(path) ? path : Object.freeze([...path]) })

/** A resource made outside the program, e.g. `existing('churn-model-v3')`. @category constructors */
export const existing = (name: string): Existing => Object.freeze({ _tag: 'Existing', name })

/** @category constructors */
export const join = (on: string, values: ReadonlyArray<JoinPart>): Join =>
  Object.freeze({ _tag: 'Join', on, values: Object.freeze([...values]) })

/** `concat(a, b, …)` = `join('', [a, b, …])`. @category constructors */
export const concat = (...values: ReadonlyArray<JoinPart>): Join => join('', values)

/** @category constructors */
export const runId: RunId = Object.freeze({ _tag: 'RunId' })

/** @category constructors */
export const jsonOf = (value: Expr): Json => Object.freeze({ _tag: 'Json', value })

/** @category constructors */
export const code = (c: Omit<Code, '_tag'>): Code =>
  Object.freeze({
    _tag: 'Code' as const,
    entryPoint: c.entryPoint,
    ...(c.sourceDir !== undefined ? { sourceDir: c.sourceDir } : {}),
    ...(c.dependencies !== undefined && c.dependencies.length > 0 ? { dependencies: Object.freeze([...c.dependencies]) } : {}),
    s3Prefix: c.s3Prefix,
  })

/** @category constructors */
export const repack = (model: Val<string>, c: Code): Repack => Object.freeze({ _tag: 'Repack' as const, model, code: c })

interface ParamOptions<A> {
  readonly default?: A
  readonly allowed?: ReadonlyArray<A>
  readonly description?: string
}

const mkParam =
  <T extends ParamType>(type: T) =>
  (name: string, options: ParamOptions<ParamValue<T>> = {}): Param<ParamValue<T>> =>
    Object.freeze({
      _tag: 'Param' as const,
      name,
      type,
      ...(options.default !== undefined ? { default: options.default } : {}),
      ...(options.allowed !== undefined ? { allowed: Object.freeze([...options.allowed]) } : {}),
      ...(options.description !== undefined ? { description: options.description } : {}),
    })

/**
 * Typed run-time parameters.
 *
 * @example
 * const epochs = param.integer('epochs', { default: 10 })
 * @category constructors
 */
export const param = {
  string: mkParam('String'),
  integer: mkParam('Integer'),
  float: mkParam('Float'),
  boolean: mkParam('Boolean'),
} as const

// -------------------------------------------------------------------------------------
// refinements
// -------------------------------------------------------------------------------------

const tagOf = (u: unknown): unknown =>
  typeof u === 'object' && u !== null && !Array.isArray(u) ? (u as { _tag?: unknown })._tag : undefined

/** @category refinements */
export const isExpr = (u: unknown): u is Expr => {
  const tag = tagOf(u)
  return typeof tag === 'string' && EXPR_TAGS.has(tag)
}
export const isRef = (u: unknown): u is Ref<unknown> => tagOf(u) === 'Ref'
export const isParam = (u: unknown): u is Param<unknown> => tagOf(u) === 'Param'
export const isJoin = (u: unknown): u is Join => tagOf(u) === 'Join'
export const isRunId = (u: unknown): u is RunId => tagOf(u) === 'RunId'
export const isCode = (u: unknown): u is Code => tagOf(u) === 'Code'
export const isJson = (u: unknown): u is Json => tagOf(u) === 'Json'
export const isExisting = (u: unknown): u is Existing => tagOf(u) === 'Existing'
export const isRepack = (u: unknown): u is Repack => tagOf(u) === 'Repack'

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** Every `Ref` and `Param` anywhere inside a value, in document order. */
export const collectExprs = (u: unknown): { refs: Array<Ref<unknown>>; params: Array<Param<unknown>> } => {
  const refs: Array<Ref<unknown>> = []
  const params: Array<Param<unknown>> = []
  const go = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) go(x)
      return
    }
    if (typeof v !== 'object' || v === null) return
    const tag = (v as { _tag?: unknown })._tag
    if (tag === 'Ref') return void refs.push(v as Ref<unknown>)
    if (tag === 'Param') return void params.push(v as Param<unknown>)
    for (const x of Object.values(v)) go(x)
  }
  go(u)
  return { refs, params }
}

/** `train.ModelArtifacts.S3ModelArtifacts` */
export const showRef = (r: Ref<unknown>): string => [r.step, ...r.path].join('.')
