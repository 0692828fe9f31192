/**
 * The JSONPath subset batch transform's `DataProcessing` filters accept, as SageMaker documents it
 * ("Supported JSONPath Operators"): `$`, `.name`, `*`, `['a','b']`, `[i]`, `[i,j]` (negative
 * indexes count from the end), `[a:b]` slices, and unions of indexes and slices (`$[0,5:]`).
 *
 * Slices include their end: SageMaker's guide says `$[1:4]` "specifies the second through fifth
 * columns" and `[:5]` runs "from the first column (index 0) through the sixth column".
 *
 * A path with only names and single indexes selects one value; any other selects a list (an array),
 * except that several names at the end select an object of those fields
 * (`$['id','SageMakerOutput']` → `{"id":…,"SageMakerOutput":…}`), as the guide's example shows.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

export type Selector =
  | { readonly _tag: 'Index'; readonly index: number }
  | { readonly _tag: 'Slice'; readonly start: number | undefined; readonly end: number | undefined }

export type Segment =
  | { readonly _tag: 'Names'; readonly names: ReadonlyArray<string> }
  | { readonly _tag: 'Wildcard' }
  | { readonly _tag: 'Indexes'; readonly selectors: ReadonlyArray<Selector> }

export interface Path {
  readonly source: string
  readonly segments: ReadonlyArray<Segment>
}

/** `$`: the whole record, untouched. */
export const isRoot = (p: Path): boolean => p.segments.length === 0

// -------------------------------------------------------------------------------------
// parsing
// -------------------------------------------------------------------------------------

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*/
const INT = /^-?\d+$/

const selector = (text: string): Either<string, Selector> => {
  const t = text.trim()
  if (INT.test(t)) return E.right({ _tag: 'Index', index: Number(t) })
  const m = /^(-?\d+)?\s*:\s*(-?\d+)?$/.exec(t)
  if (m !== null) return E.right({ _tag: 'Slice', start: m[1] === undefined ? undefined : Number(m[1]), end: m[2] === undefined ? undefined : Number(m[2]) })
  return E.left(`"${text}" is neither an index nor a slice`)
}

/** Split a bracket's content on commas outside quotes. */
const items = (inner: string): ReadonlyArray<string> => {
  const out: string[] = []
  let quote: string | undefined
  let cur = ''
  for (const ch of inner) {
    if (quote !== undefined) {
      cur += ch
      if (ch === quote) quote = undefined
    } else if (ch === "'" || ch === '"') {
      quote = ch
      cur += ch
    } else if (ch === ',') {
      out.push(cur.trim())
      cur = ''
    } else cur += ch
  }
  out.push(cur.trim())
  return out
}

const bracket = (inner: string): Either<string, Segment> => {
  const parts = items(inner)
  if (parts.length === 1 && parts[0] === '*') return E.right({ _tag: 'Wildcard' })
  if (parts.every((p) => /^'[^']*'$|^"[^"]*"$/.test(p))) return E.right({ _tag: 'Names', names: parts.map((p) => p.slice(1, -1)) })
  const selectors: Selector[] = []
  for (const p of parts) {
    const s = selector(p)
    if (E.isLeft(s)) return s
    selectors.push(s.right)
  }
  return E.right({ _tag: 'Indexes', selectors })
}

/** Parse a filter, or say what in it SageMaker would not accept. */
export const parse = (source: string): Either<string, Path> => {
  const fail = (why: string): Either<string, Path> => E.left(`JSONPath "${source}": ${why}`)
  const text = source.trim()
  if (!text.startsWith('$')) return fail('it must start with $')
  const segments: Segment[] = []
  let rest = text.slice(1)
  while (rest.length > 0) {
    if (rest.startsWith('..')) return fail('recursive descent (..) is not supported by SageMaker')
    if (rest.startsWith('.[')) rest = rest.slice(1) // `$.field.['a','b']` is written in the guide too
    if (rest.startsWith('[')) {
      const close = closing(rest)
      if (close < 0) return fail('a [ is not closed')
      const seg = bracket(rest.slice(1, close))
      if (E.isLeft(seg)) return fail(seg.left)
      segments.push(seg.right)
      rest = rest.slice(close + 1)
    } else if (rest.startsWith('.*')) {
      segments.push({ _tag: 'Wildcard' })
      rest = rest.slice(2)
    } else if (rest.startsWith('.')) {
      const m = NAME.exec(rest.slice(1))
      if (m === null) return fail(`expected a field name after "." at "${rest}"`)
      segments.push({ _tag: 'Names', names: [m[0]] })
      rest = rest.slice(1 + m[0].length)
    } else return fail(`unexpected "${rest}"`)
  }
  return E.right({ source, segments })
}

const closing = (s: string): number => {
  let quote: string | undefined
  for (let i = 1; i < s.length; i++) {
    const ch = s[i]!
    if (quote !== undefined) {
      if (ch === quote) quote = undefined
    } else if (ch === "'" || ch === '"') quote = ch
    else if (ch === ']') return i
  }
  return -1
}

// -------------------------------------------------------------------------------------
// selection
// -------------------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const indexesOf = (s: Selector, length: number): Either<string, ReadonlyArray<number>> => {
  const at = (i: number): number => (i < 0 ? length + i : i)
  if (s._tag === 'Index') {
    const i = at(s.index)
    return i >= 0 && i < length ? E.right([i]) : E.left(`index ${s.index} is outside the ${length} elements`)
  }
  const start = s.start === undefined ? 0 : at(s.start)
  // Inclusive end (see the module comment), clamped to the last element.
  const end = s.end === undefined ? length - 1 : Math.min(at(s.end), length - 1)
  if (start < 0 || start >= length) return E.left(`slice start ${s.start} is outside the ${length} elements`)
  const out: number[] = []
  for (let i = start; i <= end; i++) out.push(i)
  return E.right(out)
}

const isDefinite = (seg: Segment): boolean =>
  (seg._tag === 'Names' && seg.names.length === 1) || (seg._tag === 'Indexes' && seg.selectors.length === 1 && seg.selectors[0]!._tag === 'Index')

/** Apply a parsed path to a value: the selected value, or why the record does not have it. */
export const select =
  (path: Path) =>
  (value: unknown): Either<string, unknown> => {
    let nodes: unknown[] = [value]
    const last = path.segments.length - 1
    for (const [n, seg] of path.segments.entries()) {
      const next: unknown[] = []
      if (seg._tag === 'Names' && seg.names.length > 1 && n === last) {
        // Several fields at the end: an object of those fields, per node.
        for (const node of nodes) {
          if (!isObject(node)) return E.left(`${path.source}: ['${seg.names.join("','")}'] needs an object, found ${JSON.stringify(node)}`)
          next.push(Object.fromEntries(seg.names.filter((k) => k in node).map((k) => [k, node[k]])))
        }
        nodes = next
        continue
      }
      for (const node of nodes) {
        if (seg._tag === 'Names') {
          if (!isObject(node)) return E.left(`${path.source}: field ${seg.names[0]} needs an object, found ${JSON.stringify(node)}`)
          for (const k of seg.names) {
            if (!(k in node)) return E.left(`${path.source}: the record has no field ${k}`)
            next.push(node[k])
          }
        } else if (seg._tag === 'Wildcard') {
          if (Array.isArray(node)) next.push(...(node as unknown[]))
          else if (isObject(node)) next.push(...Object.values(node))
        } else {
          if (!Array.isArray(node)) return E.left(`${path.source}: an index needs an array, found ${JSON.stringify(node)}`)
          for (const s of seg.selectors) {
            const is = indexesOf(s, node.length)
            if (E.isLeft(is)) return E.left(`${path.source}: ${is.left}`)
            for (const i of is.right) next.push(node[i])
          }
        }
      }
      nodes = next
    }
    const definite = path.segments.every(isDefinite) || (path.segments.length > 0 && path.segments.slice(0, -1).every(isDefinite) && path.segments[last]!._tag === 'Names')
    return E.right(definite ? nodes[0] : nodes)
  }
