/**
 * Requests in a plan are the SDK's `*CommandInput` types with any leaf possibly still symbolic: a ref,
 * a param, a join or the run id. `resolve` turns them into concrete requests once values are known
 * (the AWS and local executors do this at run time; tests do it with sample values).
 *
 * @since 0.1.0
 */
import type { Code, Expr, Join, Ref, Param, Repack } from '../../spec/val.js'
import { isExpr } from '../../spec/val.js'

/**
 * `T` with every scalar leaf allowed to be an `Expr`. String enums widen to `string`: the spec's
 * codecs check enum values (instance types, modes…) against SageMaker's lists, and the builders'
 * `satisfies` checks guard the shape — every field name at every depth.
 */
export type Symbolic<T> = T extends string
  ? string | Expr
  : T extends number | boolean
  ? T | Expr
  : T extends Date | Uint8Array
    ? T
    : T extends ReadonlyArray<infer U>
      ? ReadonlyArray<Symbolic<U>>
      : T extends object
        ? { readonly [K in keyof T]: Symbolic<T[K]> }
        : T

export interface Resolver {
  readonly ref: (r: Ref<unknown>) => string | number
  readonly param: (p: Param<unknown>) => string | number | boolean
  readonly runId: string
  /** The S3 URI of the packed archive (the executor packs, hashes and uploads it). */
  readonly code: (c: Code) => string
  /** The URI of the repacked model archive (the executor repacks it before the step that uses it). */
  readonly repack?: (r: Repack) => string
  /**
   * How this target writes JSON for `Json` leaves. @default JSON.stringify. (Airflow's `tojson`
   * escapes `<>&'` and non-ASCII: other bytes, the same value once decoded.)
   */
  readonly json?: (value: string | number | boolean) => string
}

const resolveExpr = (e: Expr, r: Resolver): string | number | boolean => {
  switch (e._tag) {
    case 'Ref':
      return r.ref(e)
    case 'Param':
      return r.param(e)
    case 'RunId':
      return r.runId
    case 'Join':
      return joinValue(e, r)
    case 'Code':
      return r.code(e)
    case 'Repack':
      if (r.repack === undefined) throw new Error('resolve: a repacked model archive needs a resolver that repacks')
      return r.repack(e)
    case 'Json':
      return (r.json ?? JSON.stringify)(resolveExpr(e.value, r))
  }
}

const joinValue = (j: Join, r: Resolver): string =>
  j.values.map((v) => (isExpr(v) ? String(resolveExpr(v, r)) : String(v))).join(j.on)

/** Replace every symbolic leaf with its value. Pure; the input is not changed. */
export const resolve = <T>(value: Symbolic<T>, r: Resolver): T => {
  const go = (v: unknown): unknown => {
    if (isExpr(v)) return resolveExpr(v, r)
    if (Array.isArray(v)) return v.map(go)
    if (typeof v === 'object' && v !== null && !(v instanceof Date) && !(v instanceof Uint8Array))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, go(x)]))
    return v
  }
  return go(value) as T
}

/** Does a value still hold anything symbolic? */
export const isConcrete = (v: unknown): boolean => {
  if (isExpr(v)) return false
  if (Array.isArray(v)) return v.every(isConcrete)
  if (typeof v === 'object' && v !== null) return Object.values(v).every(isConcrete)
  return true
}
