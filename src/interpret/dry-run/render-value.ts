/**
 * Symbolic values as a person reads them: `<train.ModelArtifacts.S3ModelArtifacts>`, `<param:epochs>`,
 * `<run>`, and joins as the string they will become (`train-<run>`).
 *
 * @since 0.1.0
 */
import type { Expr } from '../../spec/val.js'
import { isExisting, isExpr, showRef } from '../../spec/val.js'

export const showExpr = (e: Expr): string => {
  switch (e._tag) {
    case 'Ref':
      return `<${showRef(e)}>`
    case 'Param':
      return `<param:${e.name}>`
    case 'RunId':
      return '<run>'
    case 'Code':
      return `<code:${e.sourceDir ?? e.entryPoint}>`
    case 'Repack':
      return `<repack of ${isExpr(e.model) ? showExpr(e.model).replace(/^<|>$/g, '') : e.model} + code:${e.code.sourceDir ?? e.code.entryPoint}>`
    case 'Json':
      return `json(${showExpr(e.value)})`
    case 'Join':
      return e.values.map((v) => (isExpr(v) ? showExpr(v) : String(v))).join(e.on)
  }
}

/** Any value with its symbolic leaves shown inline; strings stay plain; `existing(name)` is marked so. */
export const showVal = (v: unknown): string => (isExpr(v) ? showExpr(v) : isExisting(v) ? `${v.name} (existing)` : typeof v === 'string' ? v : JSON.stringify(v))

/**
 * JSON with stable two-space indentation, where symbolic leaves print as their `<…>` form: joins
 * inside quotes (they are strings), refs and params bare (they may be numbers). Lines after the first
 * start with `indent` (the first is where the caller puts it).
 */
export const renderJson = (value: unknown, indent = ''): string => {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value)
  const out: string[] = []
  jsonWriter(indent)(value, out)
  return out.join('')
}

/**
 * `renderJson`'s text pushed onto `out` in pieces, for a caller that joins a whole step (or several)
 * at once: a plan's requests are most of a 10,000-step printout. One writer serves a whole plan: it
 * keeps each key's line start (`,\n` + indentation + the quoted key) per depth, so a line costs a
 * lookup and the value rather than new strings, and no piece is built by `+`.
 */
export const jsonWriter = (indent: string): ((value: unknown, out: string[]) => void) => {
  const levels: Level[] = []
  const level = (depth: number): Level => levels[depth] ?? (levels[depth] = newLevel(indent + '  '.repeat(depth)))
  const write = (value: unknown, depth: number, out: string[]): void => {
    // Quotes pushed apart: `"${value}"` would be a new string per value, only to be copied by the join.
    if (typeof value === 'string') return void (ESCAPED.test(value) ? out.push(JSON.stringify(value)) : out.push('"', value, '"'))
    if (typeof value !== 'object' || value === null) return void out.push(String(JSON.stringify(value)))
    if (Array.isArray(value)) {
      if (value.length === 0) return void out.push('[]')
      const l = level(depth)
      out.push(l.openArray)
      for (let i = 0; i < value.length; i++) {
        if (i > 0) out.push(l.comma)
        write(value[i], depth + 1, out)
      }
      return void out.push(l.closeArray)
    }
    // Strings print quoted; refs and params print bare (they may be numbers).
    if (isExpr(value)) return void out.push(value._tag === 'Ref' || value._tag === 'Param' ? showExpr(value) : quote(showExpr(value)))
    const l = level(depth)
    let first = true
    // `for in` with the own-key check: the keys of `Object.keys`, in its order, without its array.
    for (const k in value) {
      if (!hasOwn.call(value, k)) continue
      const v = (value as Record<string, unknown>)[k]
      if (v === undefined) continue
      const starts = keyStarts(l, k)
      // A plain string goes with its opening quote in the key's line start.
      if (typeof v === 'string' && !ESCAPED.test(v)) out.push(first ? starts.firstQuoted : starts.quoted, v, '"')
      else {
        out.push(first ? starts.first : starts.later)
        write(v, depth + 1, out)
      }
      first = false
    }
    out.push(first ? '{}' : l.closeObject)
  }
  return (value, out) => write(value, 0, out)
}

/** The fixed pieces of a value written at one depth (`at` is its indentation). */
interface Level {
  readonly openArray: string
  readonly closeArray: string
  readonly closeObject: string
  /** `,\n` and the indentation of the value's members. */
  readonly comma: string
  readonly keys: Map<string, KeyStarts>
}

/** A key's line start as its object's first member (`{\n…"key": `) or a later one (`,\n…"key": `), and each with a string's opening quote. */
interface KeyStarts {
  readonly first: string
  readonly later: string
  readonly firstQuoted: string
  readonly quoted: string
}

const newLevel = (at: string): Level => ({
  openArray: `[\n${at}  `,
  closeArray: `\n${at}]`,
  closeObject: `\n${at}}`,
  comma: `,\n${at}  `,
  keys: new Map(),
})

const keyStarts = (l: Level, key: string): KeyStarts => {
  let starts = l.keys.get(key)
  if (starts === undefined) {
    const later = `${l.comma}${quote(key)}: `
    const first = `{${later.slice(1)}`
    starts = { first, later, firstQuoted: `${first}"`, quoted: `${later}"` }
    l.keys.set(key, starts)
  }
  return starts
}

const hasOwn = Object.prototype.hasOwnProperty

/** What `JSON.stringify` escapes in a string: quotes, backslashes, controls, lone surrogates. */
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/

/** `JSON.stringify(s)`, without the call for the strings a plan is mostly made of (nothing to escape). */
const quote = (s: string): string => (ESCAPED.test(s) ? JSON.stringify(s) : `"${s}"`)
