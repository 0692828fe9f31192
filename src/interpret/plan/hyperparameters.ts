/**
 * Hyperparameter encoding is an explicit property of a job: `plain` gives `String(v)` (what BYO
 * containers read from hyperparameters.json; booleans as `true`/`false`), `json` gives
 * `JSON.stringify(v)` (what framework containers JSON-decode, so strings gain quotes). Symbolic values
 * keep that contract: a string param or ref in a `json` job is wrapped in quotes by a join.
 *
 * @since 0.1.0
 */
import type { ParamDecl } from '../../spec/program.js'
import type { HyperParameterEncoding, HyperParameterVal } from '../../spec/training.js'
import type { Expr, Val } from '../../spec/val.js'
import { isExpr, jsonOf } from '../../spec/val.js'
import { runTimeType } from '../../spec/run-time-type.js'
import type { StepTag } from '../../spec/step.js'

export type HpValue = HyperParameterVal

export interface EncodeContext {
  readonly params: ReadonlyMap<string, ParamDecl>
  readonly kinds: ReadonlyMap<string, StepTag>
}

/** Is this symbolic value a string at run time (so JSON needs quotes around it)? */
export const isStringValued = (e: Expr, ctx: EncodeContext): boolean => runTimeType(e, ctx) === 'string'

export const encodeValue =
  (encoding: HyperParameterEncoding, ctx: EncodeContext) =>
  (v: HpValue): Val<string> => {
    if (isExpr(v)) {
      // Hyperparameter values are strings: a number or boolean known at run time is printed as JSON
      // prints it (`5`, `true`, as String() would), and in a `json` job a string gains quotes and escapes.
      if (!isStringValued(v as Expr, ctx) || encoding === 'json') return jsonOf(v as Expr)
      return v as Val<string>
    }
    return encoding === 'json' ? JSON.stringify(v) : String(v)
  }

export const encodeHyperParameters = (
  hp: Readonly<Record<string, HpValue>> | undefined,
  encoding: HyperParameterEncoding,
  ctx: EncodeContext,
  omit?: ReadonlySet<string>,
): Readonly<Record<string, Val<string>>> | undefined => {
  if (hp === undefined) return undefined
  // A loop, not entries/filter/fromEntries: this runs once per training step of a plan.
  const encode = encodeValue(encoding, ctx)
  const out: Record<string, Val<string>> = {}
  let any = false
  for (const k of Object.keys(hp)) {
    if (omit?.has(k)) continue
    // (`__proto__` is a name like any other here, as Object.fromEntries had it.)
    if (k === '__proto__') Object.defineProperty(out, k, { value: encode(hp[k]!), enumerable: true, writable: true, configurable: true })
    else out[k] = encode(hp[k]!)
    any = true
  }
  return any ? out : undefined
}
