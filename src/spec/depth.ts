/**
 * How deep a program may nest. No SageMaker request nests more than a dozen levels, but an
 * `overrides` value is free JSON: thousands of levels would overflow the stack of every recursive
 * walk after `validate` (binding, planning, printing), and an Airflow DAG nested past about 200
 * brackets is refused by Python's parser. `validate` refuses anything deeper than this, with the path.
 *
 * @since 0.2.0
 */
import type { SpecError } from './errors.js'

/** Levels of objects and arrays a program may have, the program itself being level 1. */
export const MAX_DEPTH = 100

/**
 * The path (keys from the root) of the first value nested deeper than `max` levels, or `undefined`.
 * Iterative, so it never overflows the stack itself; a cycle counts as too deep.
 */
export const tooDeep = (root: unknown, max: number = MAX_DEPTH): ReadonlyArray<string> | undefined => {
  // Each entry knows its parent, so a path is built only for the one value reported.
  interface Entry { readonly value: object; readonly depth: number; readonly key: string; readonly parent: Entry | undefined }
  const pathOf = (e: Entry): ReadonlyArray<string> => {
    const keys: string[] = []
    for (let at: Entry | undefined = e; at?.parent !== undefined; at = at.parent) keys.push(at.key)
    return keys.reverse()
  }
  if (typeof root !== 'object' || root === null) return undefined
  const stack: Entry[] = [{ value: root, depth: 1, key: '', parent: undefined }]
  while (stack.length > 0) {
    const e = stack.pop()!
    if (e.depth > max) return pathOf(e)
    for (const k in e.value) {
      if (!Object.prototype.hasOwnProperty.call(e.value, k)) continue
      const v = (e.value as Record<string, unknown>)[k]
      if (typeof v === 'object' && v !== null) stack.push({ value: v, depth: e.depth + 1, key: k, parent: e })
    }
  }
  return undefined
}

/**
 * The error for a value nested too deep at `path`. Its path keeps the first levels and says how many
 * follow, so the message stays one readable line.
 */
export const nestingError = (path: ReadonlyArray<string>, max: number = MAX_DEPTH): SpecError => {
  const shown = path.length > 12 ? `${path.slice(0, 10).join('.')}.…(${path.length - 10} more levels)` : path.join('.')
  return { _tag: 'Rule', path: shown, expected: `at most ${max} levels of nested objects and lists`, actual: `more than ${max}` }
}
