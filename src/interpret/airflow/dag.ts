/**
 * The Airflow exporter: a plan becomes one Python file for Apache Airflow 2 with the Amazon provider's
 * SageMaker operators. Each task's `config` is the plan's request (the object the AWS runner sends),
 * written as an exact Python literal; refs, params and the run stamp become Jinja templates; user text
 * that looks like Jinja is escaped. Pure and deterministic: same plan and options, same bytes.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import type { NonEmptyArray } from 'fp-ts/lib/NonEmptyArray.js'
import type { ParamDecl } from '../../spec/program.js'
import type { StepTag } from '../../spec/step.js'
import type { Code } from '../../spec/val.js'
import { isExpr } from '../../spec/val.js'
import type { Plan, PlannedStep } from '../plan/plan.js'
import { codeKey, codeLocation } from '../code/pack.js'
import { airflowProblems, codesIn, describeExportError, type CodeUpload, type ExportError } from './check.js'
import { OPERATORS, operatorOf, type OperatorSpec } from './operators.js'
import { jinjaLiteral, printPy, py, pyStr, type PyExpr } from './python.js'
import { exprTemplate, RUN_STAMPS, type RunStamp, type TemplateContext } from './templates.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model */
export interface DefaultArgs {
  readonly owner?: string
  readonly retries?: number
  readonly retryDelayMinutes?: number
}

/** @category model */
export interface DagOptions {
  /** Airflow's `dag_id`: letters, digits, `_`, `.`, `-`. */
  readonly dagId: string
  /** A cron expression (5 fields), an Airflow preset such as `@daily`, or `null` for manual runs only. */
  readonly schedule: string | null
  /** `YYYY-MM-DD`, UTC. Runs are not backfilled (`catchup=False`). */
  readonly startDate: string
  readonly defaultArgs?: DefaultArgs
  /** What the run id becomes. @default 'ts_nodash' */
  readonly runStamp?: RunStamp
  /** The program file, named in the header comment. */
  readonly source?: string
  /** How each code archive is uploaded, by `codeKey`; needed when the plan holds code. */
  readonly code?: ReadonlyMap<string, CodeUpload>
}

/** Thrown by `toAirflowDag` when the plan cannot be exported; `exportAirflowDag` returns them instead. */
export class AirflowExportError extends Error {
  constructor(readonly errors: ReadonlyArray<ExportError>) {
    super(`cannot export to Airflow:\n${errors.map((e) => `  ${describeExportError(e)}`).join('\n')}`)
    this.name = 'AirflowExportError'
  }
}

// -------------------------------------------------------------------------------------
// options
// -------------------------------------------------------------------------------------

const PRESETS = ['@once', '@continuous', '@hourly', '@daily', '@weekly', '@monthly', '@quarterly', '@yearly']

const isDate = (s: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s)
  if (m === null) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])
}

/** Problems with the options alone, before any program is looked at. */
export const optionErrors = (o: DagOptions): ExportError[] => {
  const bad = (path: string, expected: string, actual: unknown): ExportError => ({ _tag: 'InvalidOption', path, expected, actual })
  const errors: ExportError[] = []
  if (!/^[A-Za-z0-9_.-]{1,250}$/.test(o.dagId)) errors.push(bad('dagId', 'a DAG id of 1 to 250 letters, digits, "_", "." and "-"', o.dagId))
  if (o.schedule !== null && !PRESETS.includes(o.schedule) && !/^\S+( \S+){4}$/.test(o.schedule))
    errors.push(bad('schedule', `a cron expression of 5 fields, one of ${PRESETS.join(', ')}, or none`, o.schedule))
  if (!isDate(o.startDate)) errors.push(bad('startDate', 'a date as YYYY-MM-DD', o.startDate))
  const d = o.defaultArgs ?? {}
  if (d.owner !== undefined && (typeof d.owner !== 'string' || d.owner === '')) errors.push(bad('defaultArgs.owner', 'a non-empty string', d.owner))
  if (d.retries !== undefined && !(Number.isInteger(d.retries) && d.retries >= 0)) errors.push(bad('defaultArgs.retries', 'a whole number >= 0', d.retries))
  if (d.retryDelayMinutes !== undefined && !(typeof d.retryDelayMinutes === 'number' && Number.isFinite(d.retryDelayMinutes) && d.retryDelayMinutes >= 0))
    errors.push(bad('defaultArgs.retryDelayMinutes', 'a number of minutes >= 0', d.retryDelayMinutes))
  if (o.runStamp !== undefined && !Object.prototype.hasOwnProperty.call(RUN_STAMPS, o.runStamp)) errors.push(bad('runStamp', `one of ${Object.keys(RUN_STAMPS).join(', ')}`, o.runStamp))
  return errors
}

// -------------------------------------------------------------------------------------
// values → Python
// -------------------------------------------------------------------------------------

const num = (n: number): PyExpr => (Number.isInteger(n) ? py.int(n) : py.float(n))

// Jinja changes only text with `{`, `\r` or a final `\n` (see `jinjaLiteral`): most strings skip the escaper.
const literalText = (s: string): string => (/[{\r\n]/.test(s) ? jinjaLiteral(s) : s)

/**
 * A request as a Python literal. String values are templates (Airflow renders them); dict keys are
 * not rendered by Airflow, so they are written as they are.
 */
const toPy = (v: unknown, ctx: TemplateContext): PyExpr => {
  if (isExpr(v)) return py.str(exprTemplate(v, ctx))
  if (typeof v === 'string') return py.str(literalText(v))
  if (typeof v === 'number') return num(v)
  if (typeof v === 'boolean') return py.bool(v)
  if (Array.isArray(v)) return py.list(v.map((x) => toPy(x, ctx)))
  if (typeof v === 'object' && v !== null)
    return py.dict(Object.entries(v).flatMap(([k, x]) => (x === undefined ? [] : [[py.str(k), toPy(x, ctx)] as const])))
  // Requests hold JSON values only.
  throw new TypeError(`toAirflowDag: cannot write ${typeof v}`)
}

/** `S3Operations` for the code a step uses: the operator performs them before its SageMaker call. */
const s3Operations = (s: PlannedStep, uploads: ReadonlyMap<string, CodeUpload>): Record<string, unknown> | undefined => {
  const seen = new Map<string, { c: Code; u: CodeUpload }>()
  for (const c of codesIn(s.requests)) {
    const u = uploads.get(codeKey(c))
    if (u !== undefined && !seen.has(codeKey(c))) seen.set(codeKey(c), { c, u })
  }
  if (seen.size === 0) return undefined
  return {
    S3Upload: [...seen.values()].map(({ c, u }) => {
      const at = codeLocation(c, u.sha256)
      return { Path: u.path, Bucket: at.bucket, Key: at.key, Tar: u._tag === 'TarAtRunTime' }
    }),
  }
}

// -------------------------------------------------------------------------------------
// layout: calls and dicts of calls, shaped like black
// -------------------------------------------------------------------------------------

type Node =
  | { readonly _tag: 'Py'; readonly expr: PyExpr }
  | { readonly _tag: 'Call'; readonly callee: string; readonly args: ReadonlyArray<readonly [string | undefined, Node]> }
  | { readonly _tag: 'Map'; readonly entries: ReadonlyArray<readonly [string, Node]> }

const WIDTH = 100
const INDENT = 4
const pyNode = (expr: PyExpr): Node => ({ _tag: 'Py', expr })
const call = (callee: string, args: ReadonlyArray<readonly [string | undefined, Node]>): Node => ({ _tag: 'Call', callee, args })
const name = (code: string): Node => pyNode(py.raw(code))

const codePoints = (s: string): number => Array.from(s).length

const flat = (n: Node): string => {
  switch (n._tag) {
    case 'Py':
      return printPy(n.expr, { width: Infinity })
    case 'Call':
      return `${n.callee}(${n.args.map(([k, v]) => (k === undefined ? flat(v) : `${k}=${flat(v)}`)).join(', ')})`
    case 'Map':
      return `{${n.entries.map(([k, v]) => `${k}: ${flat(v)}`).join(', ')}}`
  }
}

const layout = (n: Node, level: number, column: number, tail: number): string => {
  if (n._tag === 'Py') return printPy(n.expr, { baseIndent: level, column, tail, width: WIDTH })
  const one = flat(n)
  const empty = n._tag === 'Call' ? n.args.length === 0 : n.entries.length === 0
  if (empty || column + codePoints(one) + tail <= WIDTH) return one
  const inner = level + INDENT
  const pad = ' '.repeat(inner)
  const items =
    n._tag === 'Call'
      ? n.args.map(([k, v]) => {
          const lead = k === undefined ? '' : `${k}=`
          return `${pad}${lead}${layout(v, inner, inner + codePoints(lead), 1)},`
        })
      : n.entries.map(([k, v]) => `${pad}${k}: ${layout(v, inner, inner + codePoints(k) + 2, 1)},`)
  const [open, close] = n._tag === 'Call' ? [`${n.callee}(`, ')'] : ['{', '}']
  return `${open}\n${items.join('\n')}\n${' '.repeat(level)}${close}`
}

// -------------------------------------------------------------------------------------
// names
// -------------------------------------------------------------------------------------

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
)
const TAKEN = ['DAG', 'Param', 'pendulum', 'timedelta', 'dag', ...Object.values(OPERATORS).flatMap((o) => (o._tag === 'Operator' ? [o.className] : []))]

/** Python names for each step's task and config, unique in the file and stable for a plan. */
const variableNames = (steps: ReadonlyArray<PlannedStep>): ReadonlyMap<string, { task: string; config: string }> => {
  const used = new Set(TAKEN)
  const claim = (wanted: string): string => {
    let n = wanted
    for (let i = 2; used.has(n); i++) n = `${wanted}_${i}`
    used.add(n)
    return n
  }
  return new Map(
    steps.map((s) => {
      let base = s.name.replace(/-/g, '_')
      if (/^[0-9]/.test(base)) base = `step_${base}`
      if (KEYWORDS.has(base)) base = `${base}_`
      return [s.name, { task: claim(base), config: claim(`${base}_config`) }]
    }),
  )
}

// -------------------------------------------------------------------------------------
// header
// -------------------------------------------------------------------------------------

/** Text for a comment line: shown as is when plain, else as an escaped literal (never a line break). */
const commentText = (s: string): string => (/^[\x21-\x7e]+$/.test(s) ? s : pyStr(s))

/** Greedy word wrap; a word longer than the line stays whole, and so does a `{{ … }}` expression. */
const wrap = (paragraph: string, width: number): string[] => {
  const lines: string[] = []
  let line = ''
  const words = paragraph.replace(/\{\{ ([^ ]*) \}\}/g, '{{\u0000$1\u0000}}').split(' ').map((w) => w.replace(/\u0000/g, ' '))
  for (const word of words) {
    if (line !== '' && codePoints(line) + 1 + codePoints(word) > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  return [...lines, line]
}

const listOf = (xs: ReadonlyArray<string>): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`

const header = (plan: Plan, o: DagOptions, stamp: RunStamp): string[] => {
  const kinds = new Set<StepTag>(plan.steps.map((s) => s.kind))
  const has = (k: StepTag) => kinds.has(k)
  const uploads = plan.steps.flatMap((s) => codesIn(s.requests).map((c) => o.code?.get(codeKey(c))))
  const named = ['jobs', ...(has('Model') ? ['models'] : []), ...(has('Endpoint') ? ['endpoint configs'] : [])]
  const retryable = (['Training', 'Transform'] as const).filter(has).map((k) => k.toLowerCase())
  const once = (['Tuning', 'Model', 'Endpoint'] as const).filter(has).map((k) => k.toLowerCase())
  const paragraphs = [
    `Airflow DAG ${pyStr(o.dagId)}, generated by sagespec${o.source === undefined ? '' : ` from ${commentText(o.source)}`}. ` +
      'Do not edit it by hand: change the program and export it again.',
    "One task per step, with the Amazon provider's SageMaker operators. Each task's config is the exact request " +
      "sagespec's AWS runner sends. Airflow renders its strings with Jinja when the task runs: outputs of earlier " +
      "steps come from their XCom results, program parameters from the DAG's params, and text that merely looks " +
      'like Jinja is escaped, so it reaches SageMaker unchanged.',
    `Run stamp: the names of ${listOf(named)} end with ${RUN_STAMPS[stamp].describe}, so each DAG run creates new ones.`,
    ...(retryable.length === 0 && once.length === 0
      ? []
      : [
          [
            ...(retryable.length === 0
              ? []
              : [
                  `Retries: ${listOf(retryable)} tasks set action_if_job_exists='timestamp': when the job already exists ` +
                    '(a retry after it was created), the operator starts a new one named <name cut to 52 characters>-<epoch ' +
                    'seconds>, and downstream tasks read the actual name from XCom.',
                ]),
            ...(once.length === 0
              ? []
              : [
                  `${retryable.length === 0 ? 'Retries: the' : 'The'} ${listOf(once)} operators have no such option: a retry after ` +
                    'SageMaker created the resource fails with its "already exists" error instead of making a duplicate; ' +
                    'trigger a new run to start over.',
                ]),
          ].join(' '),
        ]),
    'Numbers: templates render to strings, and each operator casts back to int only its own list of fields ' +
      '(instance counts, volume sizes, run times, tuning limits, transform concurrency and payload), so sagespec ' +
      'refuses to export a run-time value anywhere else a number or a boolean is expected.',
    'Waiting: every task waits for its SageMaker work to finish, so it succeeds only if the work did, and ' +
      'downstream tasks read final results.',
    ...(has('Endpoint')
      ? [
          "Endpoints: created, or updated in place when they already exist (operation='create' falls back to an update). " +
            'Runs of this DAG do not overlap (max_active_runs=1): SageMaker refuses to update an endpoint that is still updating.',
        ]
      : []),
    ...(uploads.length === 0
      ? []
      : uploads.some((u) => u?._tag === 'Archive')
        ? [
            'Code: before its SageMaker call, a task uploads the sourcedir.tar.gz that sagespec packed at export time ' +
              '(S3Operations with Tar False), byte for byte, to <prefix>/<sha256 of the archive>/sourcedir.tar.gz. ' +
              'The archive files must be on the Airflow workers at the paths given.',
          ]
        : [
            'Code: before its SageMaker call, a task tars the source directory on the Airflow worker and uploads it ' +
              '(S3Operations with Tar True) to <prefix>/<sha256>/sourcedir.tar.gz, where the hash is of sagespec\'s ' +
              'archive of the files as they were at export time. The directory must be on the workers at the path ' +
              "given. The layout is sagespec's (contents at the root); the bytes are the worker's own tar of the same " +
              'files, so edit the code only together with a new export.',
          ]),
    'Requires Airflow 2.4 or later and an apache-airflow-providers-amazon release from 2023 or later ' +
      "(action_if_job_exists='timestamp'), with AWS credentials in the aws_default connection.",
  ]
  return paragraphs.flatMap((p, i) => [...(i === 0 ? [] : ['#']), ...wrap(p, WIDTH - 2).map((l) => `# ${l}`)])
}

// -------------------------------------------------------------------------------------
// the DAG
// -------------------------------------------------------------------------------------

const PARAM_TYPES: { readonly [K in ParamDecl['type']]: string } = { String: 'string', Integer: 'integer', Float: 'number', Boolean: 'boolean' }

const paramValue = (v: string | number | boolean): PyExpr => (typeof v === 'string' ? py.str(v) : typeof v === 'number' ? num(v) : py.bool(v))

/** `Param(default, type=…, enum=[…], description=…)`: validated by Airflow when a run is triggered. */
const paramNode = (d: ParamDecl): Node =>
  call('Param', [
    ...(d.default === undefined ? [] : [[undefined, pyNode(paramValue(d.default))] as const]),
    ['type', pyNode(py.str(PARAM_TYPES[d.type]))],
    ...(d.allowed === undefined ? [] : [['enum', pyNode(py.list(d.allowed.map(paramValue)))] as const]),
    ...(d.description === undefined ? [] : [['description', pyNode(py.str(d.description))] as const]),
  ])

const dagNode = (plan: Plan, o: DagOptions): Node => {
  const [y, m, d] = o.startDate.split('-').map(Number) as [number, number, number]
  const da = o.defaultArgs ?? {}
  const defaultArgs: Array<readonly [PyExpr, PyExpr]> = [
    ...(da.owner === undefined ? [] : [[py.str('owner'), py.str(da.owner)] as const]),
    ...(da.retries === undefined ? [] : [[py.str('retries'), py.int(da.retries)] as const]),
    ...(da.retryDelayMinutes === undefined ? [] : [[py.str('retry_delay'), py.raw(`timedelta(minutes=${printPy(num(da.retryDelayMinutes))})`)] as const]),
  ]
  return call('DAG', [
    ['dag_id', pyNode(py.str(o.dagId))],
    ['schedule', pyNode(o.schedule === null ? py.none : py.str(o.schedule))],
    ['start_date', call('pendulum.datetime', [[undefined, name(String(y))], [undefined, name(String(m))], [undefined, name(String(d))], ['tz', pyNode(py.str('UTC'))]])],
    ['catchup', pyNode(py.bool(false))],
    // SageMaker refuses to update an endpoint that is still updating: runs that deploy must not overlap.
    ...(plan.steps.some((s) => s.kind === 'Endpoint') ? [['max_active_runs', pyNode(py.int(1))] as const] : []),
    ...(defaultArgs.length === 0 ? [] : [['default_args', pyNode(py.dict(defaultArgs))] as const]),
    ...(plan.params.length === 0 ? [] : [['params', { _tag: 'Map', entries: plan.params.map((p) => [pyStr(p.name), paramNode(p)] as const) } as Node] as const]),
    ['tags', pyNode(py.list([py.str('sagespec')]))],
  ])
}

const imports = (plan: Plan, o: DagOptions): string[] => {
  const classes = [...new Set(plan.steps.map((s) => opOf(s).className))].sort()
  const opImport = `from airflow.providers.amazon.aws.operators.sagemaker import ${classes.join(', ')}`
  return [
    ...(o.defaultArgs?.retryDelayMinutes === undefined ? [] : ['from datetime import timedelta', '']),
    'import pendulum',
    'from airflow import DAG',
    ...(plan.params.length === 0 ? [] : ['from airflow.models.param import Param']),
    ...(classes.length === 0
      ? []
      : opImport.length <= WIDTH
        ? [opImport]
        : ['from airflow.providers.amazon.aws.operators.sagemaker import (', ...classes.map((c) => `    ${c},`), ')']),
  ]
}

const opOf = (s: PlannedStep): OperatorSpec => {
  const op = operatorOf(s.kind)
  // airflowProblems refused steps without an operator.
  if (op === undefined) throw new Error(`toAirflowDag: no operator for ${s.kind}`)
  return op
}

const render = (plan: Plan, o: DagOptions): string => {
  const stamp = o.runStamp ?? 'ts_nodash'
  const uploads = o.code ?? new Map<string, CodeUpload>()
  const ctx: TemplateContext = {
    kinds: new Map(plan.steps.map((s) => [s.name, s.kind])),
    runStamp: stamp,
    codeUri: (c) => {
      const u = uploads.get(codeKey(c))
      // airflowProblems reported it already.
      if (u === undefined) throw new Error(`toAirflowDag: code ${c.entryPoint} was not packed`)
      return codeLocation(c, u.sha256).uri
    },
  }
  const names = variableNames(plan.steps)
  const configs = plan.steps.map((s) => {
    const v = names.get(s.name)!.config
    const ops = s3Operations(s, uploads)
    const config = { ...(ops === undefined ? {} : { S3Operations: ops }), ...opOf(s).config(s.requests) }
    return `${v} = ${printPy(toPy(config, ctx), { column: codePoints(v) + 3, width: WIDTH })}`
  })
  const tasks = plan.steps.map((s) => {
    const { task, config } = names.get(s.name)!
    const op = opOf(s)
    const node = call(op.className, [['task_id', pyNode(py.str(s.name))], ['config', name(config)], ...op.kwargs.map(([k, v]) => [k, pyNode(v)] as const)])
    return `${' '.repeat(INDENT)}${task} = ${layout(node, INDENT, INDENT + codePoints(task) + 3, 0)}`
  })
  const edges = plan.steps.flatMap((s) => s.dependsOn.map((d) => `${' '.repeat(INDENT)}${names.get(d)!.task} >> ${names.get(s.name)!.task}`))
  const body = [tasks.join('\n\n'), ...(edges.length === 0 ? [] : [edges.join('\n')])].filter((x) => x !== '')
  return [
    header(plan, o, stamp).join('\n'),
    imports(plan, o).join('\n'),
    ...configs,
    `with ${layout(dagNode(plan, o), 0, 5, 8)} as dag:\n${body.length === 0 ? `${' '.repeat(INDENT)}pass` : body.join('\n\n')}`,
  ].join('\n\n') + '\n'
}

// -------------------------------------------------------------------------------------
// interpreters
// -------------------------------------------------------------------------------------

/** Every problem that keeps `plan` from being exported with `options`; empty when it can be. @category validation */
export const checkAirflowDag = (plan: Plan, options: DagOptions): ReadonlyArray<ExportError> => [
  ...optionErrors(options),
  ...airflowProblems(plan, options),
]

/**
 * The DAG file for `plan`, or every reason it cannot be written.
 *
 * @category interpreters
 */
export const exportAirflowDag =
  (options: DagOptions) =>
  (plan: Plan): E.Either<NonEmptyArray<ExportError>, string> => {
    const errors = checkAirflowDag(plan, options)
    return errors.length > 0 ? E.left(errors as NonEmptyArray<ExportError>) : E.right(render(plan, options))
  }

/**
 * The DAG file for `plan`. Throws `AirflowExportError` (listing every problem) when the plan cannot be
 * exported; use `exportAirflowDag` to get them as a value.
 *
 * @category interpreters
 */
export const toAirflowDag = (plan: Plan, options: DagOptions): string => {
  const r = exportAirflowDag(options)(plan)
  if (E.isLeft(r)) throw new AirflowExportError(r.left)
  return r.right
}

/** Every distinct code archive `plan` needs (equal descriptions share one). */
export const codeOf = (plan: Plan): ReadonlyArray<Code> => {
  const seen = new Map<string, Code>()
  for (const s of plan.steps) for (const c of codesIn(s.requests)) if (!seen.has(codeKey(c))) seen.set(codeKey(c), c)
  return [...seen.values()]
}
