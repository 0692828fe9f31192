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
 * inside quotes (they are strings), refs and params bare (they may be numbers).
 */
export const renderJson = (value: unknown, indent = ''): string => {
  // Strings print quoted; refs and params print bare (they may be numbers).
  if (isExpr(value)) return value._tag === 'Ref' || value._tag === 'Param' ? showExpr(value) : JSON.stringify(showExpr(value))
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]'
    const inner = indent + '  '
    return `[\n${value.map((v) => inner + renderJson(v, inner)).join(',\n')}\n${indent}]`
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    if (entries.length === 0) return '{}'
    const inner = indent + '  '
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${renderJson(v, inner)}`).join(',\n')}\n${indent}}`
  }
  return JSON.stringify(value)
}
