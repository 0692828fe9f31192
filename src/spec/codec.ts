/**
 * Small io-ts combinators that report what a person needs: the dotted path, what was expected and
 * what was found. Compared with io-ts' stock combinators they (1) reject unknown fields (a typo such as
 * `instanceCont` must not be silently dropped), (2) pick the member of a tagged union by its `_tag`
 * instead of reporting every member's errors, and (3) accept `Val<A>` (refs, params, joins) wherever
 * SageMaker would accept a run-time value, skipping literal checks for those.
 *
 * @since 0.1.0
 */
import * as t from 'io-ts'
import type { FieldMeaning, ReferenceMeaning } from './meaning.js'
import { isExpr, type Expr, type Param, type Ref, type Val } from './val.js'
import { codePoints } from './code-points.js'

// -------------------------------------------------------------------------------------
// issues
// -------------------------------------------------------------------------------------

/** What a failed check says; the path is filled in from the io-ts context afterwards. */
export type Issue =
  | { readonly _tag: 'InvalidField'; readonly expected: string }
  /** A bare string where a resource is named by a ref or `existing(…)`: `validate` adds a hint. */
  | { readonly _tag: 'BareName'; readonly expected: string; readonly meaning: ReferenceMeaning }
  | { readonly _tag: 'MissingField'; readonly expected: string }
  | { readonly _tag: 'UnknownField' }

/** io-ts' ValidationError, carrying our issue beside the stock fields. */
export interface IssueError extends t.ValidationError {
  readonly issue: Issue
}

export const fail = <A>(u: unknown, c: t.Context, issue: Issue): t.Validation<A> =>
  t.failures([{ value: u, context: c, message: issue._tag === 'UnknownField' ? 'unknown field' : issue.expected, issue } as IssueError])

const invalid = <A>(u: unknown, c: t.Context, expected: string): t.Validation<A> =>
  fail(u, c, { _tag: 'InvalidField', expected })

/** Dotted path from an io-ts context (root key is empty). */
export const contextPath = (c: t.Context): string =>
  c
    .map((e) => e.key)
    .filter((k) => k !== '')
    .join('.')

export const child = (c: t.Context, key: string, type: t.Decoder<any, any>, actual?: unknown): t.Context => [
  ...c,
  { key, type, actual },
]

// -------------------------------------------------------------------------------------
// introspection: every codec built here says what it is, so tests can derive generators from it
// -------------------------------------------------------------------------------------

export type Meta =
  | { readonly kind: 'string'; readonly min: number; readonly max: number; readonly pattern?: RegExp }
  | { readonly kind: 'number'; readonly min?: number; readonly max?: number; readonly integer: boolean }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'oneOf'; readonly values: ReadonlyArray<string> }
  | { readonly kind: 'opaque'; readonly name: string }
  | { readonly kind: 'val'; readonly codec: t.Type<any, any, unknown>; readonly valKind: ValKind; readonly meaning: FieldMeaning }
  | { readonly kind: 'array'; readonly item: t.Type<any, any, unknown>; readonly min: number; readonly max: number }
  | { readonly kind: 'record'; readonly value: t.Type<any, any, unknown>; readonly key?: t.Type<string, string, unknown>; readonly max: number }
  | { readonly kind: 'struct'; readonly required: Props; readonly optional: Props }
  | { readonly kind: 'taggedUnion'; readonly members: { readonly [tag: string]: t.Type<any, any, unknown> } }

const META = Symbol.for('sagespec.codec.meta')
const withMeta = <C extends t.Type<any, any, unknown>>(codec: C, meta: Meta): C => Object.assign(codec, { [META]: meta })
const FAST = Symbol.for('sagespec.codec.fast')
/** Give a codec that is not built here (it has no meta) a compiled check, from those of its parts. */
export const withFastCheck = <C extends t.Type<any, any, unknown>>(codec: C, make: (compile: (c: t.Type<any, any, unknown>) => Check) => Check): C =>
  Object.assign(codec, { [FAST]: make })

/** What a codec built by this module is (`opaque` for anything else). */
export const metaOf = (codec: t.Type<any, any, unknown>): Meta => (codec as unknown as { [META]?: Meta })[META] ?? { kind: 'opaque', name: codec.name }

// -------------------------------------------------------------------------------------
// scalar codecs
// -------------------------------------------------------------------------------------

/** A codec whose decoded value is the input itself, once `check` says it is fine. */
export const scalar = <A>(name: string, expected: string, check: (u: unknown) => u is A): t.Type<A, A, unknown> =>
  // Its compiled check is `check` itself, the very test its decoder runs.
  withFastCheck(new t.Type<A, A, unknown>(name, check, (u, c) => (check(u) ? t.success(u) : invalid(u, c, expected)), t.identity), () => check)

export interface StringOptions {
  readonly min?: number
  readonly max?: number
  readonly pattern?: RegExp
  /** Words for the error message, e.g. "an IAM role ARN (arn:aws:iam::<account>:role/<name>)". */
  readonly describe?: string
}


// A string of n code units holds between n/2 and n code points, so most strings are settled without
// counting them.
const lengthWithin = (s: string, min: number, max: number): boolean =>
  s.length <= max && s.length >= 2 * min ? true : ((n) => n >= min && n <= max)(codePoints(s))

/** A string with optional length limits and a pattern that must match the whole value. */
export const str = (name: string, o: StringOptions = {}): t.Type<string, string, unknown> => {
  const { min = 0, max = Infinity, pattern, describe } = o
  const limits =
    min > 0 && max < Infinity ? ` of ${min} to ${max} characters` : max < Infinity ? ` of at most ${max} characters` : min > 0 ? ` of at least ${min} characters` : ''
  const expected = describe ?? `a string${limits}${pattern ? ` matching ${pattern.source}` : ''}`
  const check = (u: unknown): u is string => typeof u === 'string' && lengthWithin(u, min, max) && (pattern === undefined || pattern.test(u))
  return withMeta(scalar(name, expected, check), { kind: 'string', min, max, ...(pattern ? { pattern } : {}) })
}

export interface NumberOptions {
  readonly min?: number
  readonly max?: number
  readonly integer?: boolean
}

const describeNumber = ({ min, max, integer }: NumberOptions): string => {
  const what = integer ? 'an integer' : 'a number'
  if (min !== undefined && max !== undefined) return `${what} from ${min} to ${max}`
  if (min !== undefined) return `${what} of at least ${min}`
  if (max !== undefined) return `${what} of at most ${max}`
  return what
}

export const num = (name: string, o: NumberOptions = {}): t.Type<number, number, unknown> =>
  withMeta(scalar(
    name,
    describeNumber(o),
    (u): u is number =>
      typeof u === 'number' &&
      Number.isFinite(u) &&
      (!o.integer || Number.isInteger(u)) &&
      (o.min === undefined || u >= o.min) &&
      (o.max === undefined || u <= o.max),
  ), { kind: 'number', ...(o.min !== undefined ? { min: o.min } : {}), ...(o.max !== undefined ? { max: o.max } : {}), integer: o.integer === true })

export const int = (name: string, o: Omit<NumberOptions, 'integer'> = {}) => num(name, { ...o, integer: true })

export const bool: t.Type<boolean, boolean, unknown> = withMeta(scalar('boolean', 'true or false', (u): u is boolean => typeof u === 'boolean'), { kind: 'boolean' })

export const oneOf = <const L extends string>(name: string, values: ReadonlyArray<L>): t.Type<L, L, unknown> =>
  withMeta(
    // A set: instance types are hundreds of values.
    ((set) => scalar(name, `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, (u): u is L => typeof u === 'string' && set.has(u)))(new Set<string>(values)),
    { kind: 'oneOf', values },
  )

export const literal = <const L extends string>(value: L): t.Type<L, L, unknown> =>
  withMeta(scalar(JSON.stringify(value), JSON.stringify(value), (u): u is L => u === value), { kind: 'oneOf', values: [value] })

// -------------------------------------------------------------------------------------
// Val<A>
// -------------------------------------------------------------------------------------

/** The scalar kind a field needs, used to check refs and params placed in it. */
/** `scalar`: any of string, number, boolean (hyperparameters, which are printed to strings). */
export type ValKind = 'string' | 'integer' | 'number' | 'boolean' | 'scalar'

/** One use of a ref/param/join/run id, recorded while decoding so `validate` can check it. */
export interface ExprUse {
  readonly path: string
  /** The path's keys (a record key may itself contain dots). */
  readonly segments: ReadonlyArray<string>
  readonly expr: Expr
  readonly kind: ValKind
  /** The field's literal codec, which a String param's declared default and allowed values must pass. */
  readonly literal?: t.Type<any, any, unknown> | undefined
  /** What the field takes (`meaning.ts`); `validate` checks refs against it. */
  readonly meaning: FieldMeaning
}

// Decoding is synchronous, so a collector bound for the duration of one `validate` call is safe and
// keeps the codecs static (and therefore reusable for plain JSON round trips).
let uses: ExprUse[] | undefined
export const collectingUses = <A>(f: () => A): { result: A; uses: ReadonlyArray<ExprUse> } => {
  const previous = uses
  const mine: ExprUse[] = []
  uses = mine
  try {
    return { result: f(), uses: mine }
  } finally {
    uses = previous
  }
}

const RefCodec: t.Type<Expr, Expr, unknown> = new t.Type<Expr, Expr, unknown>(
  'Ref',
  isExpr,
  (u, c): t.Validation<Expr> => {
    const r = u as { step?: unknown; path?: unknown }
    const keys = Object.keys(u as object).filter((k) => k !== '_tag' && k !== 'step' && k !== 'path')
    if (keys.length > 0) return fail(u, child(c, keys[0]!, RefCodec), { _tag: 'UnknownField' })
    if (typeof r.step !== 'string' || r.step === '') return invalid(u, c, 'a ref with a step name')
    if (!Array.isArray(r.path) || r.path.length === 0 || !r.path.every((p) => typeof p === 'string' && p !== ''))
      return invalid(u, c, 'a ref with a non-empty output path')
    return t.success(u as Expr)
  },
  t.identity,
)

const PARAM_KEYS = new Set(['_tag', 'name', 'type', 'default', 'allowed', 'description'])
const PARAM_TYPES = new Set(['String', 'Integer', 'Float', 'Boolean'])
const ParamCodec: t.Type<Expr, Expr, unknown> = new t.Type<Expr, Expr, unknown>(
  'Param',
  isExpr,
  (u, c): t.Validation<Expr> => {
    const p = u as { name?: unknown; type?: unknown; allowed?: unknown; description?: unknown }
    const extra = Object.keys(u as object).find((k) => !PARAM_KEYS.has(k))
    if (extra !== undefined) return fail(u, child(c, extra, ParamCodec), { _tag: 'UnknownField' })
    if (typeof p.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(p.name))
      return invalid(p.name, child(c, 'name', ParamCodec), 'a parameter name matching ^[A-Za-z_][A-Za-z0-9_]{0,63}$')
    if (p.type !== undefined && !PARAM_TYPES.has(p.type as string))
      return invalid(p.type, child(c, 'type', ParamCodec), 'one of "String", "Integer", "Float", "Boolean"')
    if (p.allowed !== undefined && !Array.isArray(p.allowed)) return invalid(p.allowed, child(c, 'allowed', ParamCodec), 'a list of values')
    if (p.description !== undefined && typeof p.description !== 'string')
      return invalid(p.description, child(c, 'description', ParamCodec), 'a string')
    return t.success(u as Expr)
  },
  t.identity,
)

const JoinCodec: t.Type<Expr, Expr, unknown> = new t.Type<Expr, Expr, unknown>(
  'Join',
  isExpr,
  (u, c): t.Validation<Expr> => {
    const j = u as { on?: unknown; values?: unknown }
    const extra = Object.keys(u as object).find((k) => k !== '_tag' && k !== 'on' && k !== 'values')
    if (extra !== undefined) return fail(u, child(c, extra, JoinCodec), { _tag: 'UnknownField' })
    if (typeof j.on !== 'string') return invalid(j.on, child(c, 'on', JoinCodec), 'a separator string')
    if (!Array.isArray(j.values)) return invalid(j.values, child(c, 'values', JoinCodec), 'a list of parts')
    const errors: t.Errors = []
    j.values.forEach((v, i) => {
      const r = JoinPartCodec.validate(v, child(c, `values.${i}`, JoinPartCodec, v))
      if (r._tag === 'Left') errors.push(...r.left)
    })
    return errors.length > 0 ? t.failures(errors) : t.success(u as Expr)
  },
  t.identity,
)

const CODE_KEYS = new Set(['_tag', 'entryPoint', 'sourceDir', 'dependencies', 's3Prefix'])
const CodeCodec: t.Type<Expr, Expr, unknown> = new t.Type<Expr, Expr, unknown>(
  'Code',
  isExpr,
  (u, c): t.Validation<Expr> => {
    const x = u as { entryPoint?: unknown; sourceDir?: unknown; dependencies?: unknown; s3Prefix?: unknown }
    const extra = Object.keys(u as object).find((k) => !CODE_KEYS.has(k))
    if (extra !== undefined) return fail(u, child(c, extra, CodeCodec), { _tag: 'UnknownField' })
    if (typeof x.entryPoint !== 'string' || x.entryPoint === '' || /^s3:\/\//.test(x.entryPoint))
      return invalid(x.entryPoint, child(c, 'entryPoint', CodeCodec), 'a local script path (relative to sourceDir)')
    if (x.sourceDir !== undefined && (typeof x.sourceDir !== 'string' || x.sourceDir === ''))
      return invalid(x.sourceDir, child(c, 'sourceDir', CodeCodec), 'a local directory path')
    if (x.dependencies !== undefined && !(Array.isArray(x.dependencies) && x.dependencies.every((d) => typeof d === 'string' && d !== '')))
      return invalid(x.dependencies, child(c, 'dependencies', CodeCodec), 'a list of local directory paths')
    if (typeof x.s3Prefix !== 'string' || !/^s3:\/\/[^/]+(\/.*)?$/.test(x.s3Prefix))
      return invalid(x.s3Prefix, child(c, 's3Prefix', CodeCodec), 'an S3 prefix for code archives (s3://bucket/prefix)')
    return t.success(u as Expr)
  },
  t.identity,
)

const RepackCodec: t.Type<Expr, Expr, unknown> = new t.Type<Expr, Expr, unknown>(
  'Repack',
  isExpr,
  (u, c): t.Validation<Expr> => {
    const x = u as { model?: unknown; code?: unknown }
    const extra = Object.keys(u as object).find((k) => k !== '_tag' && k !== 'model' && k !== 'code')
    if (extra !== undefined) return fail(u, child(c, extra, RepackCodec), { _tag: 'UnknownField' })
    const model = isExpr(x.model)
      ? decodeExpr(x.model, child(c, 'model', RepackCodec, x.model), 'string', 'S3Uri')
      : typeof x.model === 'string' && /^(s3|file):\/\//.test(x.model)
        ? t.success(u as Expr)
        : invalid<Expr>(x.model, child(c, 'model', RepackCodec), 'the model archive (an s3:// or file:// URI, or a ref to one)')
    if (model._tag === 'Left') return model
    if (typeof x.code !== 'object' || x.code === null || (x.code as { _tag?: unknown })._tag !== 'Code')
      return invalid(x.code, child(c, 'code', RepackCodec), 'the serving code (a Code value)')
    const code = CodeCodec.validate(x.code, child(c, 'code', RepackCodec, x.code))
    return code._tag === 'Left' ? code : t.success(u as Expr)
  },
  t.identity,
)

const KIND_WORDS: { readonly [K in ValKind]: string } = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  scalar: 'a string, a number or a boolean',
}
const takesStrings = (kind: ValKind): boolean => kind === 'string' || kind === 'scalar'

const decodeExpr = (u: unknown, c: t.Context, kind: ValKind, meaning: FieldMeaning = DEFAULT_MEANING[kind], literal?: t.Type<any, any, unknown>): t.Validation<Expr> => {
  const tag = (u as { _tag: string })._tag
  const r =
    tag === 'Json'
      ? invalid<Expr>(u, c, `${KIND_WORDS[kind]} (Json values are made by the planner, not written in programs)`)
      : tag === 'Repack'
      ? takesStrings(kind)
        ? RepackCodec.validate(u, c)
        : invalid<Expr>(u, c, `${KIND_WORDS[kind]} (a repacked model archive is an S3 URI)`)
      : tag === 'Code'
      ? takesStrings(kind)
        ? CodeCodec.validate(u, c)
        : invalid<Expr>(u, c, `${KIND_WORDS[kind]} (code archives are S3 URIs)`)
      : tag === 'Ref'
      ? RefCodec.validate(u, c)
      : tag === 'Param'
        ? ParamCodec.validate(u, c)
        : tag === 'Join'
          ? takesStrings(kind)
            ? JoinCodec.validate(u, c)
            : invalid<Expr>(u, c, `${KIND_WORDS[kind]} (join builds strings)`)
          : Object.keys(u as object).length > 1
            ? fail<Expr>(u, c, { _tag: 'UnknownField' })
            : takesStrings(kind)
              ? t.success(u as Expr)
              : invalid<Expr>(u, c, `${KIND_WORDS[kind]} (the run id is a string)`)
  if (r._tag === 'Right' && uses !== undefined) recordUse(c.map((e) => e.key), r.right, kind, meaning, literal)
  return r
}

/**
 * An `ExprUse` whose dotted path is joined when read: a valid program's uses are many and their paths
 * are read only for an error.
 */
class Use implements ExprUse {
  constructor(
    readonly segments: ReadonlyArray<string>,
    readonly expr: Expr,
    readonly kind: ValKind,
    readonly meaning: FieldMeaning,
    readonly literal: t.Type<any, any, unknown> | undefined,
  ) {}
  get path(): string {
    return this.segments.join('.')
  }
}

/** A use at `segments` (a path's keys), its path joined only when read. */
export const exprUse = (segments: ReadonlyArray<string>, expr: Expr, kind: ValKind, meaning: FieldMeaning, literal?: t.Type<any, any, unknown> | undefined): ExprUse =>
  new Use(segments, expr, kind, meaning, literal)

/** Record a use found at `keys` (context keys; the root's empty key is left out, as `contextPath` does). */
const recordUse = (keys: ReadonlyArray<string>, expr: Expr, kind: ValKind, meaning: FieldMeaning, literal: t.Type<any, any, unknown> | undefined): void => {
  uses?.push(new Use(keys.includes('') ? keys.filter((k) => k !== '') : keys.slice(), expr, kind, meaning, literal))
}

/** What `RefCodec` accepts, checked without a context: only these keys, a step name, a non-empty path of names. */
const isWellFormedRef = (u: Record<string, unknown>): boolean => {
  for (const k in u) if (Object.prototype.hasOwnProperty.call(u, k) && k !== '_tag' && k !== 'step' && k !== 'path') return false
  const { step, path } = u
  if (typeof step !== 'string' || step === '' || !Array.isArray(path) || path.length === 0) return false
  for (let i = 0; i < path.length; i++) if (typeof path[i] !== 'string' || path[i] === '') return false
  return true
}

const JoinPartCodec: t.Type<unknown, unknown, unknown> = new t.Type<unknown, unknown, unknown>(
  'JoinPart',
  (u): u is unknown => true,
  (u, c) =>
    isExpr(u)
      ? // A part may be anything printable: a join is the explicit way to build a string of any meaning.
        decodeExpr(u, c, 'string', 'Any')
      : typeof u === 'string' || (typeof u === 'number' && Number.isFinite(u))
        ? t.success(u)
        : invalid(u, c, 'a string, a number, a ref, a param or the run id'),
  t.identity,
)

/**
 * What a field of each kind takes unless it says (`meaning.ts`): free text, a number, anything. (No
 * ref fits a boolean field: the scalar check refuses it before meanings are compared.)
 */
const DEFAULT_MEANING: { readonly [K in ValKind]: FieldMeaning } = { string: 'Text', integer: 'Number', number: 'Number', boolean: 'Number', scalar: 'Any' }

/**
 * `Val<A>`: the literal codec, or a ref/param (checked later against `kind` and `meaning`), or — for
 * strings — a join or the run id.
 */
export const val = <A>(codec: t.Type<A, A, unknown>, kind: ValKind, meaning: FieldMeaning = DEFAULT_MEANING[kind]): t.Type<Val<A>, Val<A>, unknown> =>
  withMeta(new t.Type<Val<A>, Val<A>, unknown>(
    `Val<${codec.name}>`,
    (u): u is Val<A> => isExpr(u) || codec.is(u),
    (u, c) => (isExpr(u) ? (decodeExpr(u, c, kind, meaning, codec) as t.Validation<Val<A>>) : (codec.validate(u, c) as t.Validation<Val<A>>)),
    t.identity,
  ), { kind: 'val', codec, valKind: kind, meaning })

export const vstr = (name: string, o?: StringOptions) => val(str(name, o), 'string')
export const vint = (name: string, o?: Omit<NumberOptions, 'integer'>) => val(int(name, o), 'integer')
export const vnum = (name: string, o?: NumberOptions) => val(num(name, o), 'number')
export const vbool = val(bool, 'boolean')
/** An enum that may also come from a string param or ref (checked when the value is known). */
export const voneOf = <const L extends string>(name: string, values: ReadonlyArray<L>) =>
  val(oneOf(name, values), 'string', 'Enum') as unknown as t.Type<Val<L> | Param<string> | Ref<string, 'Text'>, Val<L> | Param<string> | Ref<string, 'Text'>, unknown>

// -------------------------------------------------------------------------------------
// containers
// -------------------------------------------------------------------------------------

const isPlainObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

export interface ArrayOptions {
  readonly min?: number
  readonly max?: number
}

export const array = <A>(item: t.Type<A, A, unknown>, o: ArrayOptions = {}): t.Type<ReadonlyArray<A>, ReadonlyArray<A>, unknown> => {
  const { min = 0, max = Infinity } = o
  const expected =
    min > 0 && max < Infinity ? `a list of ${min} to ${max} items` : min > 0 ? `a list of at least ${min} item${min === 1 ? '' : 's'}` : max < Infinity ? `a list of at most ${max} items` : 'a list'
  return withMeta(new t.Type<ReadonlyArray<A>, ReadonlyArray<A>, unknown>(
    `Array<${item.name}>`,
    (u): u is ReadonlyArray<A> => Array.isArray(u) && u.every(item.is),
    (u, c) => {
      if (!Array.isArray(u) || u.length < min || u.length > max) return invalid(u, c, expected)
      const errors: t.Errors = []
      u.forEach((x, i) => {
        const r = item.validate(x, child(c, String(i), item, x))
        if (r._tag === 'Left') errors.push(...r.left)
      })
      return errors.length > 0 ? t.failures(errors) : t.success(u)
    },
    t.identity,
  ), { kind: 'array', item, min, max })
}

export interface RecordOptions {
  readonly max?: number
  readonly key?: t.Type<string, string, unknown>
}

/** A string-keyed map; keys are checked with `key` and reported at the key's own path. */
export const record = <A>(value: t.Type<A, A, unknown>, o: RecordOptions = {}): t.Type<Readonly<Record<string, A>>, Readonly<Record<string, A>>, unknown> => {
  const { max = Infinity, key } = o
  return withMeta(new t.Type<Readonly<Record<string, A>>, Readonly<Record<string, A>>, unknown>(
    `Record<${value.name}>`,
    (u): u is Readonly<Record<string, A>> => isPlainObject(u) && Object.values(u).every(value.is),
    (u, c) => {
      if (!isPlainObject(u)) return invalid(u, c, max < Infinity ? `a map of at most ${max} entries` : 'a map of names to values')
      const entries = Object.entries(u)
      if (entries.length > max) return invalid(u, c, `a map of at most ${max} entries (found ${entries.length})`)
      const errors: t.Errors = []
      for (const [k, v] of entries) {
        const cc = child(c, k, value, v)
        if (key !== undefined) {
          const kr = key.validate(k, cc)
          if (kr._tag === 'Left') {
            errors.push(...kr.left.map((e) => ({ ...e, issue: { _tag: 'InvalidField', expected: `a key that is ${(e as IssueError).issue._tag === 'UnknownField' ? 'known' : ((e as IssueError).issue as { expected: string }).expected}` } }) as IssueError))
            continue
          }
        }
        const r = value.validate(v, cc)
        if (r._tag === 'Left') errors.push(...r.left)
      }
      return errors.length > 0 ? t.failures(errors) : t.success(u as Readonly<Record<string, A>>)
    },
    t.identity,
  ), { kind: 'record', value, ...(key !== undefined ? { key } : {}), max })
}

export type Props = { readonly [k: string]: t.Type<any, any, unknown> }
export type StructOf<R extends Props, O extends Props> = Flat<{ readonly [K in keyof R]: t.TypeOf<R[K]> } & {
  readonly [K in keyof O]?: t.TypeOf<O[K]>
}>
// Shown by the compiler as the plain object it is: without it, a type error on a step or preset field
// prints `StructOf<{ uri: Type<Val<string>, Val<string>, unknown> }, …>`, io-ts's internals.
type Flat<T> = { [K in keyof T]: T[K] } & {}

/** An object with required and optional fields; any other field is an error. `undefined` counts as absent. */
export const struct = <R extends Props, O extends Props>(
  name: string,
  required: R,
  optional: O,
): t.Type<StructOf<R, O>, StructOf<R, O>, unknown> & { readonly required: R; readonly optional: O } => {
  const codec = new t.Type<StructOf<R, O>, StructOf<R, O>, unknown>(
    name,
    (u): u is StructOf<R, O> =>
      isPlainObject(u) &&
      Object.entries(required).every(([k, c]) => c.is(u[k])) &&
      Object.entries(optional).every(([k, c]) => u[k] === undefined || c.is(u[k])),
    (u, c) => {
      if (!isPlainObject(u)) return invalid(u, c, `an object (${name})`)
      const errors: t.Errors = []
      for (const [k, kc] of Object.entries(required)) {
        const cc = child(c, k, kc, u[k])
        if (u[k] === undefined) errors.push(...failuresOf(fail(u[k], cc, { _tag: 'MissingField', expected: describeCodec(kc) })))
        else {
          const r = kc.validate(u[k], cc)
          if (r._tag === 'Left') errors.push(...r.left)
        }
      }
      for (const [k, kc] of Object.entries(optional)) {
        if (u[k] === undefined) continue
        const r = kc.validate(u[k], child(c, k, kc, u[k]))
        if (r._tag === 'Left') errors.push(...r.left)
      }
      for (const k of Object.keys(u)) {
        if (!(k in required) && !(k in optional) && u[k] !== undefined)
          errors.push(...failuresOf(fail(u[k], child(c, k, codec, u[k]), { _tag: 'UnknownField' })))
      }
      return errors.length > 0 ? t.failures(errors) : t.success(u as StructOf<R, O>)
    },
    t.identity,
  )
  return Object.assign(withMeta(codec, { kind: 'struct', required, optional }), { required, optional })
}

const failuresOf = (v: t.Validation<unknown>): t.Errors => (v._tag === 'Left' ? v.left : [])

/** What a codec expects, in words (used for missing fields). */
export const describeCodec = (c: t.Decoder<any, any>): string => {
  // Run the codec on `undefined` and read its own expectation, so the words live in one place.
  const r = c.decode(undefined)
  if (r._tag === 'Left') {
    const e = r.left[0] as IssueError | undefined
    if (e?.issue && e.issue._tag !== 'UnknownField') return e.issue.expected
  }
  return c.name
}

/** A union picked by `_tag`, so errors come only from the member the value claims to be. */
export const taggedUnion = <M extends { readonly [tag: string]: t.Type<any, any, unknown> }>(
  name: string,
  members: M,
): t.Type<t.TypeOf<M[keyof M]>, t.TypeOf<M[keyof M]>, unknown> => {
  const tags = Object.keys(members)
  return withMeta(new t.Type<t.TypeOf<M[keyof M]>, t.TypeOf<M[keyof M]>, unknown>(
    name,
    (u): u is t.TypeOf<M[keyof M]> => isPlainObject(u) && typeof u._tag === 'string' && tags.includes(u._tag) && members[u._tag]!.is(u),
    (u, c) => {
      if (!isPlainObject(u)) return invalid(u, c, `an object with _tag one of ${tags.join(', ')}`)
      const tag = u._tag
      if (typeof tag !== 'string' || !tags.includes(tag))
        return invalid(tag, child(c, '_tag', t.string, tag), `one of ${tags.map((x) => JSON.stringify(x)).join(', ')}`)
      return members[tag]!.validate(u, c)
    },
    t.identity,
  ), { kind: 'taggedUnion', members })
}

// -------------------------------------------------------------------------------------
// fast path: the same rules compiled once into plain checks
// -------------------------------------------------------------------------------------

/**
 * A compiled check: does `u` pass, at `path` (the context keys below the root, a stack the checks
 * push to and pop from)? It records expression uses exactly as the decoder does, in the same order,
 * and builds no error: a value it refuses is decoded again by the error-reporting decoder, so every
 * message comes from one place. It may refuse more than the decoder (that only costs time), never less.
 */
export type Check = (u: unknown, path: string[]) => boolean

const compiledChecks = new WeakMap<t.Type<any, any, unknown>, Check>()

const contextAt = (path: ReadonlyArray<string>, type: t.Decoder<any, any>): t.Context => path.map((key) => ({ key, type, actual: undefined }))

const checkArray = (item: Check, min: number, max: number): Check => (u, path) => {
  if (!Array.isArray(u) || u.length < min || u.length > max) return false
  for (let i = 0; i < u.length; i++) {
    // A hole is skipped by the decoder's forEach; leave such arrays to it.
    if (!(i in u)) return false
    path.push(String(i))
    const ok = item(u[i], path)
    path.pop()
    if (!ok) return false
  }
  return true
}

// The entries in Object.entries' order, without listing them first: for-in visits own names in
// that order (inherited ones, which the decoder skips, are skipped).
const checkRecord = (value: Check, key: Check | undefined, max: number): Check => (u, path) => {
  if (!isPlainObject(u)) return false
  let n = 0
  for (const k in u) {
    if (!Object.prototype.hasOwnProperty.call(u, k)) continue
    if (++n > max) return false
    path.push(k)
    const ok = (key === undefined || key(k, path)) && value(u[k], path)
    path.pop()
    if (!ok) return false
  }
  return true
}

const isEnumerable = Object.prototype.propertyIsEnumerable

/**
 * A struct's check that looks up only the fields the value has: asking a wide struct (a training job
 * has 30 fields) for each absent one by name cost more than all the rest of the check. The fields
 * present are found from the value's own names (a bit each), then checked in the codec's order, so
 * uses are recorded in the decoder's order. It stands in for `checkStructByName` only where the two
 * read the same values: a plain object (no prototype to inherit a field from) and at most 32 fields.
 */
const checkStructByOwnNames = (fields: ReadonlyArray<readonly [string, Check]>, requiredCount: number): Check => {
  const index = new Map(fields.map(([k], i) => [k, i]))
  const names = fields.map(([k]) => k)
  const checks = fields.map(([, c]) => c)
  const requiredMask = requiredCount === 32 ? -1 : (1 << requiredCount) - 1
  return (u, path) => {
    if (typeof u !== 'object' || u === null || Array.isArray(u)) return false
    const proto = Object.getPrototypeOf(u)
    if (proto !== Object.prototype && proto !== null) return false
    const o = u as Record<string, unknown>
    // Every own name, enumerable or not: the decoder reads a field that is not enumerable too.
    const own = Object.getOwnPropertyNames(o)
    let present = 0
    for (let j = 0; j < own.length; j++) {
      const k = own[j]!
      const i = index.get(k)
      // The decoder lists unknown fields with Object.keys: one not enumerable (a step's outputs) is no error.
      if (i === undefined) {
        if (o[k] !== undefined && isEnumerable.call(o, k)) return false
      } else if (o[k] !== undefined) present |= 1 << i
    }
    if ((present & requiredMask) !== requiredMask) return false
    for (let i = 0; present !== 0; i++, present >>>= 1) {
      if ((present & 1) === 0) continue
      const k = names[i]!
      path.push(k)
      const ok = checks[i]!(o[k], path)
      path.pop()
      if (!ok) return false
    }
    return true
  }
}

const checkStructByName = (required: ReadonlyArray<readonly [string, Check]>, optional: ReadonlyArray<readonly [string, Check]>, r: Props, o: Props): Check => (u, path) => {
  if (!isPlainObject(u)) return false
  for (const [k, check] of required) {
    const v = u[k]
    if (v === undefined) return false
    path.push(k)
    const ok = check(v, path)
    path.pop()
    if (!ok) return false
  }
  for (const [k, check] of optional) {
    const v = u[k]
    if (v === undefined) continue
    path.push(k)
    const ok = check(v, path)
    path.pop()
    if (!ok) return false
  }
  // The decoder asks `k in required`, which also finds inherited names: ask the same.
  for (const k in u) if (Object.prototype.hasOwnProperty.call(u, k) && !(k in r) && !(k in o) && u[k] !== undefined) return false
  return true
}

const compile = (codec: t.Type<any, any, unknown>): Check => {
  const known = compiledChecks.get(codec)
  if (known !== undefined) return known
  // Recursive codecs would reach themselves while compiling: go through the table, filled below.
  const late: Check = (u, path) => compiledChecks.get(codec)!(u, path)
  compiledChecks.set(codec, late)
  const made = compileNew(codec)
  compiledChecks.set(codec, made)
  return made
}

const compileNew = (codec: t.Type<any, any, unknown>): Check => {
  const custom = (codec as unknown as { [FAST]?: (compile: (c: t.Type<any, any, unknown>) => Check) => Check })[FAST]
  if (custom !== undefined) return custom(compile)
  const m = metaOf(codec)
  switch (m.kind) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'oneOf':
      // Built by `scalar`: its `is` is the very check its decoder runs.
      return (u) => codec.is(u)
    case 'opaque':
      return (u, path) => codec.validate(u, contextAt(path, codec))._tag === 'Right'
    case 'val': {
      const literal = compile(m.codec)
      const { valKind: kind, meaning } = m
      // A ref (one or more per step) is checked and recorded here; the other expressions are few, and
      // the decoder's own code checks and records them.
      return (u, path) => {
        if (!isExpr(u)) return literal(u, path)
        if (u._tag === 'Ref' && isWellFormedRef(u as unknown as Record<string, unknown>)) {
          recordUse(path, u, kind, meaning, m.codec)
          return true
        }
        return decodeExpr(u, contextAt(path, codec), kind, meaning, m.codec)._tag === 'Right'
      }
    }
    case 'array':
      return checkArray(compile(m.item), m.min, m.max)
    case 'record':
      return checkRecord(compile(m.value), m.key === undefined ? undefined : compile(m.key), m.max)
    case 'struct': {
      const required = Object.entries(m.required).map(([k, c]) => [k, compile(c)] as const)
      const optional = Object.entries(m.optional).map(([k, c]) => [k, compile(c)] as const)
      const fields = [...required, ...optional]
      // A field Object.prototype also has (`toString`) would be read from there by the decoder.
      return fields.length <= 32 && new Set(fields.map(([k]) => k)).size === fields.length && !fields.some(([k]) => k in Object.prototype)
        ? checkStructByOwnNames(fields, required.length)
        : checkStructByName(required, optional, m.required, m.optional)
    }
    case 'taggedUnion': {
      const tags = Object.keys(m.members)
      const members = new Map(tags.map((tag) => [tag, compile(m.members[tag]!)]))
      return (u, path) => {
        if (!isPlainObject(u) || typeof u._tag !== 'string') return false
        const member = members.get(u._tag)
        return member !== undefined && member(u, path)
      }
    }
  }
}

/** The compiled check of a codec (compiled once, then cached). */
export const fastCheck = (codec: t.Type<any, any, unknown>): Check => compile(codec)

/**
 * `codec.decode(u)`, fast: the compiled check runs first, and only a value it refuses goes through the
 * decoder, which then reports exactly what it always did. Every codec here decodes a value to itself.
 */
export const decode = <A>(codec: t.Type<A, A, unknown>, u: unknown): t.Validation<A> => {
  const mark = uses?.length ?? 0
  if (compile(codec)(u, [])) return t.success(u as A)
  // Forget the uses the check recorded before it refused; the decoder records them again.
  if (uses !== undefined) uses.length = mark
  return codec.decode(u)
}
