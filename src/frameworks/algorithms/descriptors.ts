/**
 * A small declarative language for the Amazon algorithms' hyperparameters: each one is plain data
 * (its wire name, type, bounds, allowed values, whether it is required), and three pure functions
 * read that data — `describe` (the words of an error), `check` (is a literal value acceptable?) and
 * `encode` (the string SageMaker receives). The tables in `tables.ts` are written in it, and the
 * option types of the presets are derived from them, so a hyperparameter's name, type and rule live
 * in exactly one place.
 *
 * Encoding is the reference SDK's (`str(v)` after casting with the hyperparameter's type), with the
 * post-#889 fix for lists: integers print as `5`, floats as Python prints them (`1.0`, `1e-06`),
 * booleans as `True`/`False`, lists JSON-encoded as Python's `json.dumps` (`["msd", "ssd"]`).
 *
 * @since 0.1.0
 */
import type { Param, Ref, Val } from '../../spec/val.js'
import { isExpr } from '../../spec/val.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** One end of an interval: `open` excludes the value itself. */
export interface Bound {
  readonly value: number
  readonly open: boolean
}

/** `[v` / `v]` */
export const closed = (value: number): Bound => ({ value, open: false })
/** `(v` / `v)` */
export const open = (value: number): Bound => ({ value, open: true })

interface Common {
  /** The name SageMaker receives, e.g. `local_lloyd_max_iter`. */
  readonly wire: string
  /** Missing is an error. */
  readonly required?: boolean
  /** Appended to the words of an error, in parentheses: why the rule is what it is. */
  readonly note?: string
}

export interface NumberDescriptor extends Common {
  readonly type: 'int' | 'float'
  readonly min?: Bound
  readonly max?: Bound
  /** Other literals accepted besides numbers in range (`-1`, `'auto'`). */
  readonly also?: ReadonlyArray<number | string>
  /**
   * The reference SDK's `data_type` is `str` (numbers are printed as given, no float cast), used where
   * a number and a keyword are both allowed.
   */
  readonly encodeAs?: 'str'
}

export interface EnumDescriptor extends Common {
  readonly type: 'enum'
  readonly values: ReadonlyArray<string>
}

export interface BoolDescriptor extends Common {
  readonly type: 'bool'
}

export interface StringDescriptor extends Common {
  readonly type: 'string'
}

/** Item rules of a list: an enum or a bounded number. */
export type ListItem = Omit<EnumDescriptor, 'wire'> | Omit<NumberDescriptor, 'wire'>

export interface ListDescriptor extends Common {
  readonly type: 'list'
  readonly items: ListItem
}

/** @category model */
export type Descriptor = NumberDescriptor | EnumDescriptor | BoolDescriptor | StringDescriptor | ListDescriptor

/** A descriptor without its wire name: the rule alone (list items, messages). */
export type Rule = Descriptor extends infer D ? (D extends Descriptor ? Omit<D, 'wire'> : never) : never

/** Option name (camelCase) → descriptor. */
export type HpTable = { readonly [option: string]: Descriptor }

// -------------------------------------------------------------------------------------
// option types derived from a table
// -------------------------------------------------------------------------------------

type Also<D> = D extends { readonly also: ReadonlyArray<infer X> } ? X : never
type ItemValue<I> = I extends { readonly type: 'enum'; readonly values: ReadonlyArray<infer V> } ? V : number

/** The TypeScript type of a hyperparameter's value. Symbolic values (params, refs) are allowed where SageMaker reads a number or a string. */
export type ValueOf<D extends Descriptor> = D extends { readonly type: 'int' | 'float' }
  ? Val<number> | Also<D>
  : D extends { readonly type: 'enum'; readonly values: ReadonlyArray<infer V> }
    ? V | Param<string> | Ref<string>
    : D extends { readonly type: 'bool' }
      ? boolean
      : D extends { readonly type: 'list'; readonly items: infer I }
        ? ReadonlyArray<ItemValue<I>>
        : Val<string>

type RequiredKeys<T extends HpTable> = { [K in keyof T]: T[K] extends { readonly required: true } ? K : never }[keyof T]

/** The hyperparameter options of a preset: required ones required, the others optional. */
export type HpOptions<T extends HpTable> = { readonly [K in RequiredKeys<T>]: ValueOf<T[K]> } & {
  readonly [K in Exclude<keyof T, RequiredKeys<T>>]?: ValueOf<T[K]>
}

// -------------------------------------------------------------------------------------
// describe
// -------------------------------------------------------------------------------------

const quoted = (xs: ReadonlyArray<string | number>) => xs.map((x) => (typeof x === 'string' ? JSON.stringify(x) : String(x)))

const orList = (xs: ReadonlyArray<string>): string => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1]}`)

const numberWords = (d: Omit<NumberDescriptor, 'wire'>): string => {
  const what = d.type === 'int' ? 'an integer' : 'a number'
  const { min, max } = d
  const lower = min === undefined ? undefined : min.open ? `greater than ${min.value}` : `of at least ${min.value}`
  const upper = max === undefined ? undefined : max.open ? `less than ${max.value}` : `of at most ${max.value}`
  const range =
    min !== undefined && max !== undefined && !min.open && !max.open
      ? min.value === max.value
        ? `equal to ${min.value}`
        : `from ${min.value} to ${max.value}`
      : [lower, upper]
          .filter((x) => x !== undefined)
          .join(' and ')
          .replace(' and of at most', ' and at most')
  const base = range === '' ? what : `${what} ${range}`
  return d.also === undefined || d.also.length === 0 ? base : `${base}, or ${orList(quoted(d.also))}`
}

const itemWords = (d: ListItem): string => (d.type === 'enum' ? `one of ${quoted(d.values).join(', ')}` : numberWords(d))

const words = (d: Rule): string => {
  switch (d.type) {
    case 'int':
    case 'float':
      return numberWords(d as NumberDescriptor)
    case 'enum':
      return `one of ${quoted((d as EnumDescriptor).values).join(', ')}`
    case 'bool':
      return 'true or false'
    case 'string':
      return 'a string'
    case 'list':
      return `a non-empty list, each item ${itemWords((d as ListDescriptor).items)}`
  }
}

/**
 * What a hyperparameter accepts, in words, e.g. `an integer greater than 1`, `a number of at least 0
 * and less than 1`, `one of "random", "kmeans++"`.
 */
export const describe = (d: Rule): string => (d.note === undefined ? words(d) : `${words(d)} (${d.note})`)

// -------------------------------------------------------------------------------------
// check
// -------------------------------------------------------------------------------------

const inBounds = (d: Omit<NumberDescriptor, 'wire'>, v: number): boolean =>
  (d.min === undefined || (d.min.open ? v > d.min.value : v >= d.min.value)) && (d.max === undefined || (d.max.open ? v < d.max.value : v <= d.max.value))

const numberOk = (d: Omit<NumberDescriptor, 'wire'>, v: unknown): boolean =>
  (d.also !== undefined && d.also.includes(v as number | string)) ||
  (typeof v === 'number' && Number.isFinite(v) && (d.type === 'float' || Number.isInteger(v)) && inBounds(d, v))

const itemOk = (d: ListItem, v: unknown): boolean => (d.type === 'enum' ? typeof v === 'string' && d.values.includes(v) : numberOk(d, v))

/**
 * Does a literal value satisfy the descriptor? Symbolic values (params, refs, joins) are only known at
 * run time, so they pass.
 */
export const check = (d: Rule, v: unknown): boolean => {
  if (isExpr(v)) return true
  switch (d.type) {
    case 'int':
    case 'float':
      return numberOk(d as NumberDescriptor, v)
    case 'enum':
      return typeof v === 'string' && (d as EnumDescriptor).values.includes(v)
    case 'bool':
      return typeof v === 'boolean'
    case 'string':
      return typeof v === 'string'
    case 'list':
      return Array.isArray(v) && v.length > 0 && v.every((x) => itemOk((d as ListDescriptor).items, x))
  }
}

// -------------------------------------------------------------------------------------
// encode
// -------------------------------------------------------------------------------------

/**
 * Python's `repr(float(v))`: the shortest round-trip digits, written in positional notation when the
 * decimal exponent is in [-4, 16) (with `.0` for whole numbers) and as `d.ddde±XX` otherwise.
 */
export const pyFloat = (v: number): string => {
  if (Number.isNaN(v)) return 'nan'
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf'
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0'
  const [mantissa, expText] = v.toExponential().split('e') as [string, string]
  const exp = Number(expText)
  const sign = mantissa.startsWith('-') ? '-' : ''
  const digits = mantissa.replace('-', '').replace('.', '')
  if (exp < -4 || exp >= 16) {
    const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0')
  const frac = digits.slice(exp + 1)
  return `${sign}${whole}.${frac === '' ? '0' : frac}`
}

/** Python's `str(v)` for a scalar: booleans are `True`/`False`. */
export const pythonStr = (v: string | number | boolean): string => (typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v))

/** Python's `json.dumps` of a flat list (items separated by `, `). */
export const pyJsonList = (xs: ReadonlyArray<string | number | boolean>): string => `[${xs.map((x) => (typeof x === 'number' ? String(x) : JSON.stringify(x))).join(', ')}]`

/**
 * The string SageMaker receives for a literal value (symbolic values are kept, and encoded by the
 * plan's plain encoding once known). Values that fail `check` are still encoded as best we can, so
 * the plan shows what was asked for beside the error.
 */
export const encode = (d: Rule, v: unknown): Val<string> => {
  if (isExpr(v)) return v as Val<string>
  if (Array.isArray(v)) return pyJsonList(v as ReadonlyArray<string | number | boolean>)
  if (typeof v === 'number' && d.type === 'float' && (d as NumberDescriptor).encodeAs !== 'str') return pyFloat(v)
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return pythonStr(v)
  return JSON.stringify(v) ?? String(v)
}
