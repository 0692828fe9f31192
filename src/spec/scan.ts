/**
 * One walk of a raw program for the two checks that look at every value, the nesting limit and
 * `existing(name)` leaves naming a step. It builds no path (the walks it stands in for made an entry or
 * a path string per value): `validate` runs the exact walks (`tooDeep`, which finds the path, and the
 * existing-name check) only when this finds something for them.
 *
 * @since 0.4.0
 */
import { MAX_DEPTH } from './depth.js'

export interface Scan {
  /** Some object or array is nested deeper than the limit (or the value holds a cycle). */
  readonly deep: boolean
  /** The names of objects shaped like `existing(name)` (`_tag` "Existing", a string name), in no set order. */
  readonly existingNames: ReadonlyArray<string>
}

const NONE: ReadonlyArray<string> = []

/**
 * Visits what `tooDeep` visits (own enumerable keys of every object and array), to at most `max`
 * levels, so it recurses at most `max + 1` frames and a cycle counts as too deep, as there.
 */
export const scan = (root: unknown, max: number = MAX_DEPTH): Scan => {
  if (typeof root !== 'object' || root === null) return { deep: false, existingNames: NONE }
  let deep = false
  let names: string[] | undefined
  const go = (o: Record<string, unknown>, depth: number): void => {
    if (depth > max) {
      deep = true
      return
    }
    if (o._tag === 'Existing' && typeof o.name === 'string') (names ??= []).push(o.name)
    // Own enumerable string keys, the set `tooDeep`'s for-in with hasOwnProperty visits (values
    // measured fastest of the ways to list them).
    const values = Object.values(o)
    for (let i = 0; i < values.length; i++) {
      const v = values[i]
      if (typeof v === 'object' && v !== null) {
        go(v as Record<string, unknown>, depth + 1)
        if (deep) return
      }
    }
  }
  go(root as Record<string, unknown>, 1)
  return { deep, existingNames: names ?? NONE }
}
