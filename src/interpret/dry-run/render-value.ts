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
  // Pieces in one list, joined once: a plan's requests are most of a 10,000-step printout.
  const out: string[] = []
  writeJson(value, indent, out)
  return out.join('')
}

const writeJson = (value: unknown, indent: string, out: string[]): void => {
  // Strings print quoted; refs and params print bare (they may be numbers).
  if (isExpr(value)) out.push(value._tag === 'Ref' || value._tag === 'Param' ? showExpr(value) : JSON.stringify(showExpr(value)))
  else if (Array.isArray(value)) {
    if (value.length === 0) return void out.push('[]')
    const inner = indent + '  '
    out.push('[\n')
    for (let i = 0; i < value.length; i++) {
      out.push(i === 0 ? inner : ',\n' + inner)
      writeJson(value[i], inner, out)
    }
    out.push('\n' + indent + ']')
  } else if (typeof value === 'object' && value !== null) {
    const inner = indent + '  '
    let first = true
    for (const k of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[k]
      if (v === undefined) continue
      out.push(`${first ? '{\n' : ',\n'}${inner}${JSON.stringify(k)}: `)
      first = false
      writeJson(v, inner, out)
    }
    out.push(first ? '{}' : '\n' + indent + '}')
  } else out.push(String(JSON.stringify(value)))
}
