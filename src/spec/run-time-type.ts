/**
 * The type a symbolic value has when the program runs: a param's declared type, a ref's type in its
 * step's Describe response, a string for everything else (joins, the run id, code URIs). The one
 * answer the planner (JSON encoding), the Airflow exporter (integer casts) and the executor share.
 *
 * @since 0.2.0
 */
import { lookupOutput } from './outputs.js'
import type { ParamType } from './val.js'
import { OUTPUT_SCHEMAS, type StepTag } from './step.js'
import type { Expr } from './val.js'

export type RunTimeType = 'string' | 'integer' | 'number' | 'boolean'

export interface TypeContext {
  readonly params: ReadonlyMap<string, { readonly type: ParamType }>
  readonly kinds: ReadonlyMap<string, StepTag>
}

const OF_PARAM: { readonly [K in ParamType]: RunTimeType } = { String: 'string', Integer: 'integer', Float: 'number', Boolean: 'boolean' }

export const runTimeType = (e: Expr, ctx: TypeContext): RunTimeType => {
  switch (e._tag) {
    case 'Param':
      return OF_PARAM[ctx.params.get(e.name)?.type ?? e.type ?? 'String']
    case 'Ref': {
      const kind = ctx.kinds.get(e.step)
      const found = kind === undefined ? undefined : lookupOutput(OUTPUT_SCHEMAS[kind], e.path)
      return found?._tag === 'Found' && found.type === 'number' ? 'number' : 'string'
    }
    case 'Join':
    case 'RunId':
    case 'Code':
    case 'Repack':
    case 'Json':
      return 'string'
  }
}
