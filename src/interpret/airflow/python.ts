/**
 * The foundation of the Airflow exporter: exact Python literals, a tiny Python expression AST with a
 * black-like printer, and Jinja-safe strings. Everything user-controlled that reaches a DAG file goes
 * through here, so every function is total on its input domain and either returns correct source or
 * throws a programmer error; nothing is ever "mostly escaped".
 *
 * Decisions (also pinned by tests against a real python3 and Jinja2):
 * - Strings map code point by code point: a JS surrogate pair is one Python code point; a lone
 *   surrogate becomes a `\udXXX` escape, i.e. a Python str holding that surrogate code point. This is
 *   the only injective mapping, and the emitted source stays valid UTF-8.
 * - Non-finite floats throw: `inf`/`nan` have no Python literal, and SageMaker's JSON API has no use for
 *   them, so they can only be a bug upstream.
 * - Jinja: literal text is escaped by pulling the few dangerous characters into `{{ '...' }}`
 *   expressions instead of `{% raw %}` blocks; see `jinjaLiteral`.
 *
 * @since 0.1.0
 */
import { codePoints } from '../../spec/code-points.js'

// ---------------------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------------------

/**
 * Code points Python's `str.isprintable()` rejects (beyond ASCII): controls, format characters (this
 * includes bidi overrides, so no "Trojan Source" text reaches a DAG file unescaped), private use,
 * unassigned, and separators other than the plain space. Property escapes follow the JS engine's
 * Unicode version, so a code point unassigned in one Node release and assigned in a later one may switch
 * between raw and escaped; both forms are the same Python value.
 */
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u

const hex = (cp: number, digits: number): string => cp.toString(16).padStart(digits, '0')

const escapeCodePoint = (cp: number): string =>
  cp <= 0xff ? `\\x${hex(cp, 2)}` : cp <= 0xffff ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`

const needsEscape = (ch: string, cp: number): boolean =>
  cp < 0x20 || cp === 0x7f || (cp >= 0x80 && ((cp >= 0xd800 && cp <= 0xdfff) || NON_PRINTABLE.test(ch)))

const PLAIN_ASCII = /^[ -&(-[\]-~]*$/
const PRINTABLE_ASCII = /^[ -~]*$/

/**
 * An exact, single-line Python string literal: `ast.literal_eval(pyStr(s))` is `s`, code point by code
 * point. Quotes as Python's `repr` picks them (single, unless the text has `'` and no `"`), so output is
 * deterministic; never triple quotes, never a raw newline. Printable non-ASCII (CJK, emoji, combining
 * marks) is kept as is for readability. The result is also a valid Jinja string literal with the same
 * value (Jinja decodes string literals with Python's `unicode-escape`, which knows every escape used here).
 *
 * @category strings
 */
export const pyStr = (s: string): string => {
  // Printable ASCII without a quote or a backslash is its own literal body (the common case).
  if (PLAIN_ASCII.test(s)) return `'${s}'`
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  // Printable ASCII (a template with quotes in it, such as an XCom pull): only the quote and `\` are
  // escaped, copied between them in slices.
  if (PRINTABLE_ASCII.test(s)) {
    const q = quote.charCodeAt(0)
    let out = quote
    let from = 0
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i)
      if (c === q || c === 0x5c) {
        out += `${s.slice(from, i)}\\`
        from = i
      }
    }
    return `${out}${s.slice(from)}${quote}`
  }
  let out = quote
  // `for...of` walks code points; a lone surrogate comes out as a one-unit string.
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number
    if (ch === '\\') out += '\\\\'
    else if (ch === quote) out += `\\${quote}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (needsEscape(ch, cp)) out += escapeCodePoint(cp)
    else out += ch
  }
  return out + quote
}

// ---------------------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------------------

/** CPython refuses decimal int literals longer than this (`sys.int_info.default_max_str_digits`). */
const MAX_DECIMAL_DIGITS = 4300

/**
 * An int literal; throws on a non-integral number (a programmer error). An integral number beyond
 * 2^53 prints the exact value of that double.
 */
export const pyInt = (value: number | bigint): string => {
  if (typeof value === 'number' && !Number.isInteger(value)) {
    throw new RangeError(`pyInt: ${value} is not an integer`)
  }
  const n = BigInt(value)
  const decimal = n.toString()
  if (decimal.replace('-', '').length <= MAX_DECIMAL_DIGITS) return decimal
  // Power-of-two bases are exempt from CPython's digit limit.
  return n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`
}

/**
 * `repr(float)`: the shortest digits that round-trip (which is also what JS picks), laid out the way
 * CPython does: scientific when the decimal exponent is < -4 or >= 16, with a signed two-digit-minimum
 * exponent (`1e-05`, `1e+16`); otherwise positional with at least one fractional digit (`1.0`).
 * Throws a RangeError on NaN and ±Infinity, which have no literal.
 */
export const pyFloat = (value: number): string => {
  if (!Number.isFinite(value)) throw new RangeError(`pyFloat: ${value} has no Python literal`)
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const sign = value < 0 ? '-' : ''
  const [mantissa = '', exponent = ''] = Math.abs(value).toExponential().split('e')
  const digits = mantissa.replace('.', '')
  const exp = Number(exponent)
  if (exp < -4 || exp >= 16) {
    const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0')
  return `${sign}${whole}.${digits.slice(exp + 1) || '0'}`
}

// ---------------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------------

/**
 * The Python expressions the exporter emits. `Raw` is verbatim code and only for code we generate
 * ourselves (a variable name, a call); never put user text in it.
 *
 * @category model
 */
export type PyExpr =
  | { readonly _tag: 'Str'; readonly value: string }
  | { readonly _tag: 'Int'; readonly value: number | bigint }
  | { readonly _tag: 'Float'; readonly value: number }
  | { readonly _tag: 'Bool'; readonly value: boolean }
  | { readonly _tag: 'None' }
  | { readonly _tag: 'List'; readonly items: ReadonlyArray<PyExpr> }
  | { readonly _tag: 'Dict'; readonly entries: ReadonlyArray<readonly [PyExpr, PyExpr]> }
  | { readonly _tag: 'Raw'; readonly code: string }

/** Constructors. @category constructors */
export const py = {
  str: (value: string): PyExpr => ({ _tag: 'Str', value }),
  int: (value: number | bigint): PyExpr => ({ _tag: 'Int', value }),
  float: (value: number): PyExpr => ({ _tag: 'Float', value }),
  bool: (value: boolean): PyExpr => ({ _tag: 'Bool', value }),
  none: { _tag: 'None' } as PyExpr,
  list: (items: ReadonlyArray<PyExpr>): PyExpr => ({ _tag: 'List', items }),
  dict: (entries: ReadonlyArray<readonly [PyExpr, PyExpr]>): PyExpr => ({ _tag: 'Dict', entries }),
  raw: (code: string): PyExpr => ({ _tag: 'Raw', code }),
} as const

/** @category model */
export interface PrintOptions {
  /** Spaces per nesting level. Default 4. */
  readonly indent?: number
  /** Maximum line length, counted in code points. Default 100. */
  readonly width?: number
  /** Indentation of the line the expression starts on; continuation lines are relative to it. Default 0. */
  readonly baseIndent?: number
  /** Column the expression starts at, e.g. `baseIndent + 'config = '.length`. Default `baseIndent`. */
  readonly column?: number
  /** Characters that follow the expression on its last line, e.g. 1 for `,` or `)`. Default 0. */
  readonly tail?: number
}


/**
 * What Python would consider the same dict key, so a duplicate (which Python silently collapses,
 * keeping the last value) is caught here. `True == 1 == 1.0` in Python, hence the shared numeric form.
 */
const keyIdentity = (k: PyExpr): string | undefined => {
  switch (k._tag) {
    case 'Str':
      return `s${k.value}`
    case 'Int':
      return `n${BigInt(k.value)}`
    case 'Bool':
      return k.value ? 'n1' : 'n0'
    case 'Float':
      return Number.isInteger(k.value) ? `n${BigInt(k.value)}` : `f${pyFloat(k.value)}`
    case 'None':
      return 'None'
    case 'Raw':
      return undefined
    case 'List':
    case 'Dict':
      throw new TypeError(`printPy: a ${k._tag} cannot be a dict key (unhashable)`)
  }
}

const checkKeys = (entries: ReadonlyArray<readonly [PyExpr, PyExpr]>): void => {
  const seen = new Set<string>()
  for (const [k] of entries) {
    const id = keyIdentity(k)
    if (id === undefined) continue
    if (seen.has(id)) throw new TypeError(`printPy: duplicate dict key ${flat(k)}`)
    seen.add(id)
  }
}

/** One-line form; may still contain newlines if a `Raw` does. */
const flat = (e: PyExpr): string => {
  switch (e._tag) {
    case 'Str':
      return pyStr(e.value)
    case 'Int':
      return pyInt(e.value)
    case 'Float':
      return pyFloat(e.value)
    case 'Bool':
      return e.value ? 'True' : 'False'
    case 'None':
      return 'None'
    case 'Raw':
      return e.code
    case 'List':
      return `[${e.items.map(flat).join(', ')}]`
    case 'Dict':
      return `{${e.entries.map(([k, v]) => `${flat(k)}: ${flat(v)}`).join(', ')}}`
  }
}

/**
 * The width of each collection's one-line form (Infinity when it holds a newline), measured once per
 * print and bottom-up, so laying out a deep tree neither flattens its subtrees at every level nor
 * builds the one-line text of a collection that does not fit. Checks every dict's keys on the way,
 * in document order (as flattening the whole tree first did).
 */
const measure = (e: PyExpr, widths: Map<PyExpr, number>): number => {
  switch (e._tag) {
    case 'Raw':
      return e.code.includes('\n') ? Infinity : codePoints(e.code)
    case 'List': {
      let w = e.items.length === 0 ? 2 : 2 * e.items.length
      for (const x of e.items) w += measure(x, widths)
      widths.set(e, w)
      return w
    }
    case 'Dict': {
      checkKeys(e.entries)
      let w = e.entries.length === 0 ? 2 : 2 * e.entries.length
      for (const [k, v] of e.entries) w += codePoints(flat(k)) + 2 + measure(v, widths)
      widths.set(e, w)
      return w
    }
    default:
      return codePoints(flat(e))
  }
}

interface Layout {
  readonly indent: number
  readonly width: number
}

/** Black's shape: the one-line form if it fits, else one item per line with a trailing comma. */
const layout = (e: PyExpr, o: Layout, level: number, column: number, tail: number, widths: ReadonlyMap<PyExpr, number>): string => {
  const atomic =
    (e._tag !== 'List' && e._tag !== 'Dict') ||
    (e._tag === 'List' ? e.items.length === 0 : e.entries.length === 0)
  if (atomic || widths.get(e)! <= o.width - column - tail) return flat(e)
  const inner = level + o.indent
  const pad = ' '.repeat(inner)
  const lines =
    e._tag === 'List'
      ? e.items.map((item) => `${pad}${layout(item, o, inner, inner, 1, widths)},`)
      : e.entries.map(([k, v]) => {
          const key = `${flat(k)}: `
          return `${pad}${key}${layout(v, o, inner, inner + codePoints(key), 1, widths)},`
        })
  const [open, close] = e._tag === 'List' ? ['[', ']'] : ['{', '}']
  return `${open}\n${lines.join('\n')}\n${' '.repeat(level)}${close}`
}

/**
 * Deterministic, readable Python source for `expr`, shaped as black would: collections on one line when
 * they fit in `width`, otherwise exploded one item per line with trailing commas. Dict entries keep the
 * caller's order. Throws (a programmer error) on non-finite floats, non-integral ints, unhashable or
 * duplicate dict keys. Long strings are never split, so a line holding one may exceed `width`.
 *
 * @category printing
 */
export const printPy = (expr: PyExpr, options: PrintOptions = {}): string => {
  const base = options.baseIndent ?? 0
  const widths = new Map<PyExpr, number>()
  measure(expr, widths)
  return layout(expr, { indent: options.indent ?? 4, width: options.width ?? 100 }, base, options.column ?? base, options.tail ?? 0, widths)
}

/**
 * Visits every leaf of a printed value, in document order, with the keys and list indexes leading to
 * it (a stack the printer reuses: read it during the call, do not keep it). Holes in lists are not
 * leaves here (they are printed, and refused, by `leaf`).
 */
export type LeafVisitor = (v: unknown, at: ReadonlyArray<string | number>) => void

/** @category model */
export interface ValuePrinter {
  /**
   * `printValue` of `value` with this printer's leaves (the texts of scalar leaves are made once per
   * printer), calling `visit` at each leaf on the way.
   */
  readonly print: (value: unknown, options?: PrintOptions, visit?: LeafVisitor) => string
}

// Kinds of the nodes of one printed value, in the walk's arrays.
const LEAF = 0
const LIST = 1
const DICT = 2

// Scalars (a role, an image, a bucket, a field's enum value) recur in every request of a plan: their
// texts and widths are kept for the printer's life, up to this many (then forgotten all at once: what
// recurs comes back, and a plan of unique paths does not hold them all).
const MAX_CACHED = 4096

/**
 * A printer of JSON-like values (see `printValue`) for many values in a row, such as one request per
 * step of a plan. Each value is walked once into flat arrays (node kinds, leaf texts, widths, where each
 * subtree ends), which are then laid out without touching the value again; the arrays are reused from
 * one value to the next, so printing a request allocates little beyond its text.
 *
 * @category printing
 */
export const valuePrinter = (isLeaf: (v: unknown) => boolean, leaf: (v: unknown) => string): ValuePrinter => {
  const scalarIds = new Map<unknown, number>()
  const scalarTexts: string[] = []
  const scalarWidths: number[] = []
  // The walk's arrays, by node in document order: a node's subtree is the nodes up to `ends[i]`.
  const kinds: number[] = []
  const texts: string[] = []
  const widths: number[] = []
  const ends: number[] = []
  // For a dict's entry: `'key': `, `, 'key': ` and the width of the first; empty for list items.
  const keys: string[] = []
  const nextKeys: string[] = []
  const keyWidths: number[] = []
  const at: Array<string | number> = []
  let n = 0
  let visit: LeafVisitor | undefined
  const leafAt = (i: number, v: unknown): void => {
    if (typeof v === 'object' || typeof v === 'function') {
      const t = leaf(v)
      texts[i] = t
      widths[i] = textWidth(t)
    } else {
      let id = scalarIds.get(v)
      if (id === undefined) {
        const t = leaf(v)
        if (scalarIds.size >= MAX_CACHED) {
          scalarIds.clear()
          scalarTexts.length = 0
          scalarWidths.length = 0
        }
        id = scalarTexts.length
        scalarTexts.push(t)
        scalarWidths.push(textWidth(t))
        scalarIds.set(v, id)
      }
      texts[i] = scalarTexts[id]!
      widths[i] = scalarWidths[id]!
    }
    kinds[i] = LEAF
    ends[i] = i + 1
  }
  const walk = (v: unknown): void => {
    const i = n++
    if (typeof v !== 'object' || v === null || isLeaf(v)) {
      visit?.(v, at)
      return leafAt(i, v)
    }
    let w: number
    if (Array.isArray(v)) {
      kinds[i] = LIST
      w = v.length === 0 ? 2 : 2 * v.length
      for (let j = 0; j < v.length; j++) {
        const c = n
        keys[c] = ''
        keyWidths[c] = 0
        if (j in v) {
          at.push(j)
          walk(v[j])
          at.pop()
        } else {
          n++
          leafAt(c, undefined)
        }
        w += widths[c]!
      }
    } else {
      kinds[i] = DICT
      let m = 0
      w = 0
      const ks = Object.keys(v)
      for (let ki = 0; ki < ks.length; ki++) {
        const k = ks[ki]!
        const x = (v as Record<string, unknown>)[k]
        if (x === undefined) continue
        m++
        const c = n
        const kid = keyId(k)
        keys[c] = keyColons[kid]!
        nextKeys[c] = keyCommas[kid]!
        keyWidths[c] = keyColonWidths[kid]!
        at.push(k)
        walk(x)
        at.pop()
        w += keyWidths[c]! + widths[c]!
      }
      w += m === 0 ? 2 : 2 * m
    }
    widths[i] = w
    ends[i] = n
  }
  // The text's pieces, reused from one value to the next: emptying the list would give its storage
  // back, and growing it again for every request was a third of what printing allocated.
  const out: string[] = []
  let pieces = 0
  // Pieces the last value took: past them, the list holds only empty strings.
  let used = 0
  const put = (piece: string): void => void (out[pieces++] = piece)
  const flat = (i: number): void => {
    const kind = kinds[i]!
    if (kind === LEAF) return void put(texts[i]!)
    put(kind === LIST ? '[' : '{')
    const end = ends[i]!
    for (let j = i + 1; j < end; j = ends[j]!) {
      if (kind === DICT) put(j > i + 1 ? nextKeys[j]! : keys[j]!)
      else if (j > i + 1) put(', ')
      flat(j)
    }
    put(kind === LIST ? ']' : '}')
  }
  const layout = (i: number, o: Layout, level: number, column: number, tail: number): void => {
    const kind = kinds[i]!
    if (kind === LEAF) return void put(texts[i]!)
    if (ends[i] === i + 1 || widths[i]! <= o.width - column - tail) return flat(i)
    const inner = level + o.indent
    const pad = spaces(inner)
    put(kind === LIST ? '[\n' : '{\n')
    for (let j = i + 1; j < ends[i]!; j = ends[j]!) {
      put(pad)
      if (kind === DICT) put(keys[j]!)
      layout(j, o, inner, inner + keyWidths[j]!, 1)
      put(',\n')
    }
    put(spaces(level))
    put(kind === LIST ? ']' : '}')
  }
  return {
    print: (value, options = {}, visitor) => {
      n = 0
      at.length = 0
      visit = visitor
      walk(value)
      const base = options.baseIndent ?? 0
      pieces = 0
      layout(0, { indent: options.indent ?? 4, width: options.width ?? 100 }, base, options.column ?? base, options.tail ?? 0)
      // What an earlier, longer value left past the end is emptied (not cut off, which frees the storage).
      for (let i = pieces; i < used; i++) out[i] = ''
      used = pieces
      return out.join('')
    },
  }
}

// Indentation, made once per depth.
const indents: string[] = []
const spaces = (n: number): string => (indents[n] ??= ' '.repeat(n))

/** The width of a leaf's text: Infinity when it holds a line break (so its collections never fit on one line). */
const textWidth = (t: string): number => (t.includes('\n') ? Infinity : codePoints(t))

/**
 * `printPy` of a JSON-like value (arrays, plain objects with string keys, and leaves) without building
 * its `PyExpr` tree: arrays print as lists, objects as dicts (keys as `pyStr`, `undefined` values
 * left out, insertion order kept), and every other value through `leaf`, which returns its Python text.
 * The same text as `printPy(toTree(value))` where the tree has a `Str` key per field. One request of a
 * DAG is printed per step, with a `valuePrinter` kept for the whole DAG.
 *
 * @category printing
 */
export const printValue = (value: unknown, isLeaf: (v: unknown) => boolean, leaf: (v: unknown) => string, options: PrintOptions = {}): string =>
  valuePrinter(isLeaf, leaf).print(value, options)

// Keys as Python strings followed by `: `, with their widths: a plan's requests use the same few field
// names over and over.
const keyIds = new Map<string, number>()
const keyColons: string[] = []
const keyCommas: string[] = []
const keyColonWidths: number[] = []
const keyId = (k: string): number => {
  let id = keyIds.get(k)
  if (id === undefined) {
    if (keyIds.size >= 4096) {
      keyIds.clear()
      keyColons.length = 0
      keyCommas.length = 0
      keyColonWidths.length = 0
    }
    const t = `${pyStr(k)}: `
    id = keyColons.length
    keyColons.push(t)
    keyCommas.push(`, ${t}`)
    keyColonWidths.push(codePoints(t))
    keyIds.set(k, id)
  }
  return id
}

// ---------------------------------------------------------------------------------------------------
// Jinja
// ---------------------------------------------------------------------------------------------------

/**
 * One piece of an Airflow template: literal user text (escaped) or a Jinja expression we generated.
 *
 * @category jinja
 */
export type TemplatePart = { readonly text: string } | { readonly expr: string }

/** Second characters of Jinja's openers `{{`, `{%`, `{#`. */
const OPENER_SECOND: ReadonlySet<string> = new Set(['{', '%', '#'])

/**
 * Escapes `text` so that Jinja2 (default delimiters) renders it verbatim.
 *
 * Why this works: Jinja's lexer, outside tags, only reacts to `{{`, `{%` and `{#` (a lone `}}`, `%}` or
 * `#}` is plain data), and changes data in exactly two other ways: it rewrites `\r\n` and `\r` to the
 * environment's `newline_sequence` (`\n` by default), and, unless `keep_trailing_newline` is set (Airflow
 * 2 leaves it unset, so it is off), it drops one newline at the very end of the template. So a character
 * is moved into a `{{ '...' }}` expression when it is a `\r`; the final `\n` of the whole template; or a
 * `{` that would start a delimiter, i.e. one followed by `{`, `%`, `#` or by anything we emit as a tag
 * (every tag starts with `{`). Deciding right to left makes the last rule see its successor's fate.
 * Consecutive escaped characters share one expression, and an escaped `{` takes the delimiter's second
 * character along (escaping more is always safe): `a {{ b` becomes `a {{ '{{' }} b`.
 *
 * The emitted expressions are string literals of `{`, `%`, `#`, `\r`, `\n` only: no block tags (so `trim_blocks`
 * and `lstrip_blocks` cannot touch them), no whitespace control, and nothing autoescape would change.
 * Assumes default delimiters, no line statement/comment prefixes and `newline_sequence='\n'`, which is
 * what Airflow 2's `DAG.get_template_env` uses unless the DAG overrides `jinja_environment_kwargs`.
 */
const escapeText = (text: string, followedByTag: boolean, endsTemplate: boolean): string => {
  // Nothing to escape without a `{`, a `\r` or a final `\n` (most text): it comes back as it is.
  if (!text.includes('{') && !text.includes('\r') && !(endsTemplate && text.endsWith('\n'))) return text
  const chars = Array.from(text)
  const escaped: boolean[] = new Array<boolean>(chars.length).fill(false)
  let nextEscaped = followedByTag
  for (let i = chars.length - 1; i >= 0; i--) {
    const c = chars[i]
    const next = chars[i + 1]
    const e =
      c === '\r' ||
      (c === '\n' && endsTemplate && i === chars.length - 1) ||
      (c === '{' && (nextEscaped || OPENER_SECOND.has(next ?? '')))
    escaped[i] = e
    nextEscaped = e
  }
  // Cosmetic: take the delimiter's second character along, so `{{` reads as `{{ '{{' }}`.
  for (let i = 0; i + 1 < chars.length; i++) {
    if (escaped[i] && chars[i] === '{' && OPENER_SECOND.has(chars[i + 1] ?? '')) escaped[i + 1] = true
  }
  let out = ''
  let run = ''
  chars.forEach((c, i) => {
    if (escaped[i]) {
      run += c
      return
    }
    if (run !== '') out += jinjaExpr(pyStr(run))
    run = ''
    out += c
  })
  return run === '' ? out : out + jinjaExpr(pyStr(run))
}

/**
 * A template that Jinja2 renders to exactly `s`, whatever `s` holds. Text with no `{{`, `{%`, `{#`, no
 * `\r` and no trailing newline comes back unchanged, which keeps DAG files readable. The result is a
 * Python *value*: put it in the file with `pyStr`/`printPy`, never verbatim.
 *
 * @category jinja
 */
export const jinjaLiteral = (s: string): string => escapeText(s, false, true)

/**
 * `{{ code }}`. `code` must be a Jinja expression we generated (use `jinjaString` for any text inside
 * it); it is not checked beyond being non-blank.
 *
 * @category jinja
 */
export const jinjaExpr = (code: string): string => {
  if (code.trim() === '') throw new TypeError('jinjaExpr: empty expression')
  return `{{ ${code} }}`
}

/**
 * A Jinja string literal with value `s`, for text inside an expression, e.g.
 * `jinjaExpr(\`ti.xcom_pull(task_ids=${jinjaString(id)})\`)`. Same text as `pyStr`: Jinja's lexer finds
 * the closing quote before any `}}`, then decodes escapes as Python does.
 *
 * @category jinja
 */
export const jinjaString = (s: string): string => pyStr(s)

/**
 * Concatenates escaped literal text and expressions into one template. Adjacent text parts are merged
 * before escaping, so a delimiter split across parts is still caught.
 *
 * @category jinja
 */
export const template = (parts: ReadonlyArray<TemplatePart>): string => {
  let out = ''
  let text = ''
  for (const part of parts) {
    if ('text' in part) {
      text += part.text
      continue
    }
    out += escapeText(text, true, false) + jinjaExpr(part.expr)
    text = ''
  }
  return out + escapeText(text, false, true)
}
