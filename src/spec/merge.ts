/**
 * The one deep merge: objects merge key by key (the later wins); lists, scalars and symbolic values
 * are replaced. `withOverrides` merges overrides into earlier ones with it, and the request builders
 * merge overrides into the request with it, so both behave the same.
 *
 * @since 0.1.0
 */
import { isExpr } from './val.js'

const isPlainObject = (u: unknown): u is Readonly<Record<string, unknown>> =>
  typeof u === 'object' && u !== null && !Array.isArray(u) && !isExpr(u)

const go = (b: unknown, o: unknown): unknown => {
  if (!isPlainObject(b) || !isPlainObject(o)) return o
  const out: Record<string, unknown> = { ...b }
  for (const [k, v] of Object.entries(o)) out[k] = Object.prototype.hasOwnProperty.call(out, k) ? go(out[k], v) : v
  return out
}

/** `base` with `overrides` merged in; `base` itself when there are none. */
export const deepMerge = <A>(base: A, overrides: Readonly<Record<string, unknown>> | undefined): A =>
  overrides === undefined ? base : (go(base, overrides) as A)
