/**
 * Symbolic leaves as Airflow templates. Airflow renders every string inside an operator's `config`
 * with Jinja when the task runs, so a ref, a param or the run stamp becomes a `{{ … }}` expression and
 * everything the user wrote stays literal text (escaped by `template`, so text that looks like Jinja
 * renders as itself).
 *
 * @since 0.1.0
 */
import type { StepTag } from '../../spec/step.js'
import type { Code, Expr, Param, Ref, Repack } from '../../spec/val.js'
import { isExpr } from '../../spec/val.js'
import { RUN_ID_MAX_LENGTH } from '../plan/names.js'
import { operatorOf } from './operators.js'
import { jinjaString, template, type TemplatePart } from './python.js'

// -------------------------------------------------------------------------------------
// run stamps
// -------------------------------------------------------------------------------------

/**
 * What `RunId` becomes. Each is at most `RUN_ID_MAX_LENGTH` characters of `[0-9A-Za-z]`, so the names
 * the planner shortened for it still fit SageMaker's limits.
 *
 * @category model
 */
export type RunStamp = 'ts_nodash' | 'ds_nodash' | 'run_hash'

export interface RunStampTemplate {
  /** The Jinja expression. */
  readonly expr: string
  /** Longest value it renders to. */
  readonly maxLength: number
  /** For the DAG's header comment. */
  readonly describe: string
}

export const RUN_STAMPS: { readonly [K in RunStamp]: RunStampTemplate } = {
  ts_nodash: {
    expr: 'ts_nodash',
    maxLength: 15,
    describe: "the run's logical timestamp, {{ ts_nodash }} (e.g. 20260101T000000)",
  },
  ds_nodash: {
    expr: 'ds_nodash',
    maxLength: 8,
    describe: "the run's logical date, {{ ds_nodash }} (e.g. 20260101; two runs on one day share it)",
  },
  run_hash: {
    // uuid5 of (dag id, run id): unique per run and per DAG, stable across a run's retries.
    expr: "macros.uuid.uuid5(macros.uuid.NAMESPACE_URL, dag.dag_id ~ '/' ~ run_id).hex[:15]",
    maxLength: 15,
    describe: '15 hex digits of a uuid5 of the DAG id and the run id (unique per run, also across DAGs)',
  },
}

for (const [k, v] of Object.entries(RUN_STAMPS))
  if (v.maxLength > RUN_ID_MAX_LENGTH) throw new Error(`run stamp ${k} may exceed RUN_ID_MAX_LENGTH`)

// -------------------------------------------------------------------------------------
// expressions
// -------------------------------------------------------------------------------------

export interface TemplateContext {
  /** Kind of every step, for its XCom key. */
  readonly kinds: ReadonlyMap<string, StepTag>
  readonly runStamp: RunStamp
  /** The S3 URI a code archive is uploaded to. */
  readonly codeUri: (c: Code) => string
  /** The task that repacks a model archive: its return value (XCom) is the repacked archive's URI. */
  readonly repackTask?: (r: Repack) => string
}

/** `ti.xcom_pull(task_ids='repack_…')`: the URI the repack task returned. */
const repackExpr = (r: Repack, ctx: TemplateContext): string => {
  // The exporter names a task for every repack of the plan before rendering.
  if (ctx.repackTask === undefined) throw new Error('toAirflowDag: a repack without its task')
  return `ti.xcom_pull(task_ids=${jinjaString(ctx.repackTask(r))})`
}

/** `ti.xcom_pull(task_ids='train')['Training']['ModelArtifacts']['S3ModelArtifacts']` */
export const refExpr = (r: Ref<unknown>, kinds: ReadonlyMap<string, StepTag>): string => {
  const kind = kinds.get(r.step)
  const op = kind === undefined ? undefined : operatorOf(kind)
  // A valid program has no dangling refs, and steps without an operator are refused before rendering.
  if (op === undefined) throw new Error(`refExpr: no operator for step ${r.step}`)
  let out = `ti.xcom_pull(task_ids=${jinjaString(r.step)})[${jinjaString(op.xcomKey)}]`
  for (const k of r.path) out += `[${jinjaString(k)}]`
  return out
}

// `params.items` would be the dict method, `params._x` is refused by Jinja's sandbox, and keywords do
// not parse after a dot: those names are looked up with a subscript instead.
const NOT_AN_ATTRIBUTE = new Set([
  'items', 'keys', 'values', 'get', 'pop', 'popitem', 'setdefault', 'update', 'clear', 'copy', 'fromkeys',
  'dump', 'validate', 'and', 'or', 'not', 'in', 'is', 'if', 'else', 'true', 'false', 'none', 'True', 'False', 'None',
])

/** `params.epochs`, or `params['items']` where the dotted form would not find the param. */
export const paramExpr = (p: Param<unknown>): string =>
  /^[A-Za-z][A-Za-z0-9_]*$/.test(p.name) && !NOT_AN_ATTRIBUTE.has(p.name) ? `params.${p.name}` : `params[${jinjaString(p.name)}]`

type ExprOf<K extends Expr['_tag']> = Extract<Expr, { readonly _tag: K }>

/** Values that are strings whatever happens at run time (joins, the run stamp, code URIs). */
const isStringOnly = (e: Expr): boolean => e._tag === 'Join' || e._tag === 'RunId' || e._tag === 'Code'

/** One entry per kind of symbolic value: a new kind is a compile error here until handled. */
const PARTS: { readonly [K in Expr['_tag']]: (e: ExprOf<K>, ctx: TemplateContext) => ReadonlyArray<TemplatePart> } = {
  Ref: (e, ctx) => [{ expr: refExpr(e, ctx.kinds) }],
  Param: (e) => [{ expr: paramExpr(e) }],
  RunId: (_, ctx) => [{ expr: RUN_STAMPS[ctx.runStamp].expr }],
  // The archive's URI is known when the DAG is written: plain text.
  Code: (e, ctx) => [{ text: ctx.codeUri(e) }],
  // Known only once the training has run and the repack task has made it.
  Repack: (e, ctx) => [{ expr: repackExpr(e, ctx) }],
  // JSON text of a run-time value. Strings made of our own parts are quoted and escaped now, which
  // reads better; anything else goes through Jinja's `tojson` when the task runs (`true`, `5`,
  // `"a\"b"`: valid JSON that decodes to the same value).
  Json: (e, ctx) => {
    const plain = isStringOnly(e.value) ? plainJsonParts(e.value, ctx) : undefined
    return plain !== undefined ? [{ text: '"' }, ...plain, { text: '"' }] : [{ expr: `${valueExpr(e.value, ctx)} | tojson` }]
  },
  // One per step name (a name and the run stamp): built in one list.
  Join: (e, ctx) => {
    const out: TemplatePart[] = []
    for (let i = 0; i < e.values.length; i++) {
      const v = e.values[i]
      if (i > 0 && e.on !== '') out.push({ text: e.on })
      if (isExpr(v)) out.push(...templateParts(v, ctx))
      else out.push({ text: String(v) })
    }
    return out
  },
}

/**
 * A Jinja *expression* for a symbolic value (not a template): what `| tojson` is applied to. Literal
 * text becomes a quoted Jinja string, parts are joined with `~`.
 */
const valueExpr = (e: Expr, ctx: TemplateContext): string => {
  switch (e._tag) {
    case 'Ref':
      return refExpr(e, ctx.kinds)
    case 'Param':
      return paramExpr(e)
    case 'RunId':
      return `(${RUN_STAMPS[ctx.runStamp].expr})`
    case 'Code':
      return jinjaString(ctx.codeUri(e))
    case 'Repack':
      return repackExpr(e, ctx)
    case 'Json':
      return `(${valueExpr(e.value, ctx)} | tojson)`
    case 'Join': {
      const parts = e.values.flatMap((v, i) => [
        ...(i > 0 && e.on !== '' ? [jinjaString(e.on)] : []),
        isExpr(v) ? `(${valueExpr(v, ctx)})` : jinjaString(String(v)),
      ])
      return parts.length === 0 ? "''" : parts.join(' ~ ')
    }
  }
}

/**
 * Parts whose run-time text is known to need no JSON escaping (literal text, run stamps of letters
 * and digits, code URIs known now), or undefined when some part must be escaped when the task runs.
 */
const plainJsonParts = (e: Expr, ctx: TemplateContext): ReadonlyArray<TemplatePart> | undefined => {
  switch (e._tag) {
    case 'RunId':
      return [{ expr: RUN_STAMPS[ctx.runStamp].expr }]
    case 'Code':
      return [{ text: JSON.stringify(ctx.codeUri(e)).slice(1, -1) }]
    case 'Join': {
      const out: TemplatePart[] = []
      for (const [i, v] of e.values.entries()) {
        if (i > 0 && e.on !== '') out.push({ text: JSON.stringify(e.on).slice(1, -1) })
        const p = isExpr(v) ? plainJsonParts(v, ctx) : [{ text: JSON.stringify(String(v)).slice(1, -1) }]
        if (p === undefined) return undefined
        out.push(...p)
      }
      return out
    }
    case 'Ref':
    case 'Param':
    case 'Json':
      return undefined
  }
}

/** The parts of a symbolic value: literal text and the expressions between it. */
export const templateParts = (e: Expr, ctx: TemplateContext): ReadonlyArray<TemplatePart> =>
  (PARTS[e._tag] as (e: Expr, ctx: TemplateContext) => ReadonlyArray<TemplatePart>)(e, ctx)

/** One Airflow template string for a symbolic value. */
export const exprTemplate = (e: Expr, ctx: TemplateContext): string => template(templateParts(e, ctx))
