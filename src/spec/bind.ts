/**
 * Binding parameters: replace `Param` leaves with literal values (e.g. from `--param name=value`), so
 * that `validate` then checks them like any literal. Pure; returns a new program.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { SpecError } from './errors.js'
import type { ParamDecl, Program } from './program.js'
import { isJoin, isParam } from './val.js'

/** Parse a command-line string as a value of the parameter's declared type. */
export const parseParamValue = (decl: ParamDecl, raw: string): E.Either<SpecError, string | number | boolean> => {
  const bad = (expected: string) => E.left<SpecError>({ _tag: 'InvalidField', path: `params.${decl.name}`, expected, actual: raw })
  switch (decl.type) {
    case 'String':
      return E.right(raw)
    case 'Integer':
      // Beyond 2^53 a number is no longer the integer written: 9007199254740993 would become …992.
      return !/^-?\d+$/.test(raw.trim()) ? bad('an integer') : Number.isSafeInteger(Number(raw)) ? E.right(Number(raw)) : bad('an integer from -(2^53 - 1) to 2^53 - 1')
    case 'Float':
      return raw.trim() !== '' && Number.isFinite(Number(raw)) ? E.right(Number(raw)) : bad('a number')
    case 'Boolean':
      return raw === 'true' ? E.right(true) : raw === 'false' ? E.right(false) : bad('true or false')
  }
}

/** Replace the named params everywhere (joins included) and drop their declarations. */
export const bindParams =
  (values: Readonly<Record<string, string | number | boolean>>) =>
  (p: Program): Program => {
    const go = (v: unknown): unknown => {
      if (isParam(v) && Object.prototype.hasOwnProperty.call(values, v.name)) return values[v.name]
      if (isJoin(v)) return { ...v, values: v.values.map(go) }
      if (Array.isArray(v)) return v.map(go)
      if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, go(x)]))
      return v
    }
    return { params: p.params.filter((d) => !Object.prototype.hasOwnProperty.call(values, d.name)), steps: go(p.steps) as Program['steps'] }
  }
