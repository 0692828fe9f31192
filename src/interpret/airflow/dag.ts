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
import { airflowProblems, checkStep, codesIn, eachLeaf, holdsCode, describeExportError, scheduleProblems, type CodeUpload, type ExportError } from './check.js'
import { OPERATORS, operatorOf, type OperatorSpec } from './operators.js'
import { jinjaLiteral, printPy, printValue, py, pyFloat, pyInt, pyStr, valuePrinter, type LeafVisitor, type PyExpr } from './python.js'
import { codePoints } from '../../spec/code-points.js'
import { exprTemplate, RUN_STAMPS, type RunStamp, type TemplateContext } from './templates.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** @category model */
export interface DefaultArgs {
  readonly owner?: string
  readonly retries?: number
  readonly retryDelayMinutes?: number
  /** Addresses Airflow mails when a task fails (with `emailOnFailure`). */
  readonly email?: ReadonlyArray<string>
  readonly emailOnFailure?: boolean
  /** A task running longer than this fails (and may be retried). */
  readonly executionTimeoutMinutes?: number
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
  /**
   * Data objects to put in S3 before the steps that read them (a RecordSet's shards, then its
   * manifest), in order: inline (base64, in the DAG) or a file on the workers.
   */
  readonly data?: ReadonlyArray<DataUpload>
  /** The Airflow connection with AWS credentials. @default the provider's own default, aws_default */
  readonly awsConnId?: string
  /** The AWS region every task calls. @default the connection's */
  readonly region?: string
}

/** One data object the DAG uploads (content-addressed keys: one that exists is skipped). @category model */
export interface DataUpload {
  readonly bucket: string
  readonly key: string
  readonly uri: string
  readonly source: { readonly _tag: 'Inline'; readonly base64: string } | { readonly _tag: 'File'; readonly path: string }
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
  if (d.email !== undefined && !(Array.isArray(d.email) && d.email.length > 0 && d.email.every((e) => typeof e === 'string' && /^[^\s@]+@[^\s@]+$/.test(e))))
    errors.push(bad('defaultArgs.email', 'a non-empty list of e-mail addresses', d.email))
  if (d.emailOnFailure !== undefined && typeof d.emailOnFailure !== 'boolean') errors.push(bad('defaultArgs.emailOnFailure', 'true or false', d.emailOnFailure))
  if (d.emailOnFailure === true && d.email === undefined) errors.push(bad('defaultArgs.email', 'the addresses to mail: emailOnFailure is set', d.email))
  if (d.executionTimeoutMinutes !== undefined && !(typeof d.executionTimeoutMinutes === 'number' && Number.isFinite(d.executionTimeoutMinutes) && d.executionTimeoutMinutes > 0))
    errors.push(bad('defaultArgs.executionTimeoutMinutes', 'a number of minutes > 0', d.executionTimeoutMinutes))
  if (o.awsConnId !== undefined && !/^[A-Za-z0-9_.-]{1,250}$/.test(o.awsConnId)) errors.push(bad('awsConnId', 'an Airflow connection id of letters, digits, "_", "." and "-"', o.awsConnId))
  if (o.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(o.region)) errors.push(bad('region', 'an AWS region such as "us-west-2"', o.region))
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
 * A request as a Python literal (printed by `printValue`: lists and dicts as they are). String values
 * are templates (Airflow renders them); dict keys are not rendered by Airflow, so they are written as
 * they are. These are the leaves.
 */
const isPyLeaf = (v: unknown): boolean => typeof v !== 'object' || v === null || isExpr(v)

const pyLeaf = (v: unknown, ctx: TemplateContext): string => {
  if (isExpr(v)) return pyStr(exprTemplate(v, ctx))
  if (typeof v === 'string') return pyStr(literalText(v))
  if (typeof v === 'number') return Number.isInteger(v) ? pyInt(v) : pyFloat(v)
  if (typeof v === 'boolean') return v ? 'True' : 'False'
  // Requests hold JSON values only.
  throw new TypeError(`toAirflowDag: cannot write ${typeof v}`)
}

/**
 * Every code archive the plan uploads, once, in plan order. One task uploads them all before the
 * steps that use them: the provider's `S3Operations` upload in each step with `replace=False`, so a
 * second step, a retry or a re-run would fail on the key the first upload wrote.
 */
const codeUploads = (plan: Plan, uploads: ReadonlyMap<string, CodeUpload>): ReadonlyArray<Record<string, unknown>> => {
  // Nothing packed, nothing to upload: the requests need not be walked.
  if (uploads.size === 0) return []
  const seen = new Map<string, Record<string, unknown>>()
  for (const c of plan.steps.flatMap((s) => codesIn(s.requests))) {
    const u = uploads.get(codeKey(c))
    if (u === undefined || seen.has(codeKey(c))) continue
    const at = codeLocation(c, u.sha256)
    seen.set(codeKey(c), { Path: u.path, Bucket: at.bucket, Key: at.key, Tar: u._tag === 'TarAtRunTime' })
  }
  return [...seen.values()]
}

/** The task that uploads code; a step name cannot hold `_`, so no step's task has this id. */
const UPLOAD_TASK = 'upload_code'
const UPLOAD_TASK_VAR = 'upload_code_task'
const UPLOAD_CONFIG = 'code_uploads'

/** Python helpers the DAG file defines, each written only when a task calls it. */
const HELPERS = {
  upload_code: [
    'def upload_code(uploads, aws_conn_id="aws_default", region_name=None):',
    '    """Upload each code archive unless its key exists: the key names the content, so a retry or',
    '    a re-run finds the same archive there and succeeds."""',
    '    s3 = S3Hook(aws_conn_id=aws_conn_id, region_name=region_name)',
    '    for u in uploads:',
    '        if s3.check_for_key(u["Key"], bucket_name=u["Bucket"]):',
    '            continue',
    '        if "Data" in u:',
    '            s3.load_bytes(base64.b64decode(u["Data"]), u["Key"], bucket_name=u["Bucket"], replace=True)',
    '        elif u["Tar"]:',
    "            # The directory's contents at the archive's root, as sagespec packs them.",
    '            hook = SageMakerHook(aws_conn_id=aws_conn_id, region_name=region_name)',
    '            hook.tar_and_s3_upload(u["Path"], u["Key"], u["Bucket"])',
    '        else:',
    '            s3.load_file(u["Path"], u["Key"], bucket_name=u["Bucket"], replace=True)',
  ],
  repack_model: [
    'def _safe_extract(archive, dest):',
    '    """Unpack only what stays inside dest: no absolute paths, no "..", no links out of it."""',
    '    with tarfile.open(archive) as t:',
    '        if hasattr(tarfile, "data_filter"):',
    '            t.extractall(dest, filter="data")',
    '            return',
    '        root = os.path.realpath(dest)',
    '        for m in t.getmembers():',
    '            target = os.path.realpath(os.path.join(dest, m.name))',
    '            if not (m.isfile() or m.isdir()) or os.path.commonpath([root, target]) != root:',
    '                raise ValueError("%s: refusing %s (outside the folder, or not a file or folder)" % (archive, m.name))',
    '        t.extractall(dest)',
    '',
    '',
    'def repack_model(',
    '    model, code_bucket, code_key, code_sha256, dependencies, replace_code, bucket, prefix, aws_conn_id="aws_default", region_name=None',
    '):',
    '    """Add the serving code to the model archive as code/ (dependencies under code/lib/), and upload it',
    '    under the sha256 of the original archive and the code, unless that key exists: a retry or a re-run',
    '    finds it and uploads nothing. Returns its URI, which the model task reads."""',
    '    s3 = S3Hook(aws_conn_id=aws_conn_id, region_name=region_name)',
    '    model_bucket, model_key = S3Hook.parse_s3_url(model)',
    '    with tempfile.TemporaryDirectory(prefix="sagespec-repack-") as tmp:',
    '        original = os.path.join(tmp, "original.tar.gz")',
    '        s3.get_key(model_key, bucket_name=model_bucket).download_file(original)',
    '        digest = hashlib.sha256()',
    '        with open(original, "rb") as f:',
    '            for chunk in iter(lambda: f.read(1 << 20), b""):',
    '                digest.update(chunk)',
    '        name = hashlib.sha256(("sagespec-repack-v1\\n%s\\n%s" % (digest.hexdigest(), code_sha256)).encode()).hexdigest()',
    '        key = "/".join(p for p in [prefix, name, "model.tar.gz"] if p)',
    '        if s3.check_for_key(key, bucket_name=bucket):',
    '            return "s3://%s/%s" % (bucket, key)',
    '        root = os.path.join(tmp, "model")',
    '        _safe_extract(original, root)',
    '        code_dir = os.path.join(root, "code")',
    '        if replace_code:',
    '            shutil.rmtree(code_dir, ignore_errors=True)',
    '        code_archive = os.path.join(tmp, "sourcedir.tar.gz")',
    '        s3.get_key(code_key, bucket_name=code_bucket).download_file(code_archive)',
    '        src = os.path.join(tmp, "code")',
    '        _safe_extract(code_archive, src)',
    '        for entry in sorted(os.listdir(src)):',
    '            dest = os.path.join(code_dir, "lib", entry) if entry in dependencies else os.path.join(code_dir, entry)',
    '            os.makedirs(os.path.dirname(dest), exist_ok=True)',
    '            if os.path.isdir(os.path.join(src, entry)) and not os.path.islink(os.path.join(src, entry)):',
    '                shutil.copytree(os.path.join(src, entry), dest, symlinks=True, dirs_exist_ok=True)',
    '            else:',
    '                shutil.copy2(os.path.join(src, entry), dest, follow_symlinks=False)',
    '        out = os.path.join(tmp, "model.tar.gz")',
    '        with tarfile.open(out, "w:gz") as t:',
    '            for entry in sorted(os.listdir(root)):',
    '                t.add(os.path.join(root, entry), arcname=entry)',
    '        s3.load_file(out, key, bucket_name=bucket, replace=True)',
    '    return "s3://%s/%s" % (bucket, key)',
  ],
  create_model_package: [
    'def create_model_package(config, aws_conn_id="aws_default", region_name=None):',
    '    """CreateModelPackage with the planned request, then wait until the package is Completed (a',
    '    Failed one fails the task). A retry after SageMaker created it waits for that package."""',
    '    hook = SageMakerHook(aws_conn_id=aws_conn_id, region_name=region_name)',
    '    try:',
    '        hook.conn.create_model_package(**config)',
    '    except ClientError as e:',
    '        if "already exists" not in str(e):',
    '            raise',
    '    described = hook.check_status(',
    '        config["ModelPackageName"],',
    '        "ModelPackageStatus",',
    '        lambda name: hook.conn.describe_model_package(ModelPackageName=name),',
    '        30,',
    '        non_terminal_states={"Pending", "InProgress"},',
    '    )',
    '    # Describe responses hold datetimes; XCom stores JSON.',
    '    return {"ModelPackage": json.loads(json.dumps(described, default=repr))}',
  ],
} as const
type Helper = keyof typeof HELPERS

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
const TAKEN = [
  'DAG',
  'Param',
  'pendulum',
  'timedelta',
  'dag',
  'json',
  'ClientError',
  'S3Hook',
  'SageMakerHook',
  UPLOAD_TASK,
  UPLOAD_TASK_VAR,
  UPLOAD_CONFIG,
  ...Object.keys(HELPERS),
  ...Object.values(OPERATORS).flatMap((o) => (o._tag === 'Operator' ? [o.className] : [])),
]

type RepackAsset = Extract<Plan['assets'][number], { readonly _tag: 'Repack' }>

/** The plan's repacks, in plan order. */
const repacksOf = (plan: Plan): ReadonlyArray<RepackAsset> => plan.assets.filter((a): a is RepackAsset => a._tag === 'Repack')

/** `repack_<first model step>`: step names hold no `_`, so no step's task has this id. */
const repackTaskIds = (repacks: ReadonlyArray<RepackAsset>): ReadonlyArray<string> => {
  const used = new Set<string>()
  return repacks.map((a) => {
    const wanted = `repack_${a.usedBy[0] ?? 'model'}`
    let id = wanted
    for (let i = 2; used.has(id); i++) id = `${wanted}_${i}`
    used.add(id)
    return id
  })
}

/** Python names for each step's task and config (and each extra task's), unique in the file and stable for a plan. */
const variableNames = (steps: ReadonlyArray<PlannedStep>, extraTasks: ReadonlyArray<string> = []): ReadonlyMap<string, { task: string; config: string }> => {
  const used = new Set(TAKEN)
  const claim = (wanted: string): string => {
    let n = wanted
    for (let i = 2; used.has(n); i++) n = `${wanted}_${i}`
    used.add(n)
    return n
  }
  const entries = steps.map((s): readonly [string, { task: string; config: string }] => {
    let base = s.name.includes('-') ? s.name.replace(/-/g, '_') : s.name
    if (/^[0-9]/.test(base)) base = `step_${base}`
    if (KEYWORDS.has(base)) base = `${base}_`
    return [s.name, { task: claim(base), config: claim(`${base}_config`) }]
  })
  return new Map([...entries, ...extraTasks.map((id): readonly [string, { task: string; config: string }] => [id, { task: claim(`${id.replace(/-/g, '_')}_task`), config: '' }])])
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

/** `codes`: whether the plan's requests hold code, and whether some of it is uploaded as sagespec's archive. */
const header = (plan: Plan, o: DagOptions, stamp: RunStamp, codes: { readonly any: boolean; readonly archive: boolean }): string[] => {
  const kinds = new Set<StepTag>(plan.steps.map((s) => s.kind))
  const has = (k: StepTag) => kinds.has(k)
  const named = ['jobs', ...(has('Model') ? ['models'] : []), ...(has('Endpoint') ? ['endpoint configs'] : [])]
  const retryable = (['Training', 'Transform'] as const).filter(has).map((k) => k.toLowerCase())
  const once = (['Tuning', 'Model', 'Endpoint'] as const).filter(has).map((k) => k.toLowerCase())
  const paragraphs = [
    `Airflow DAG ${pyStr(o.dagId)}, generated by sagespec${o.source === undefined ? '' : ` from ${commentText(o.source)}`}. ` +
      'Do not edit it by hand: change the program and export it again.',
    `One task per step, with the Amazon provider's SageMaker operators${has('ModelPackage') || codes.any || (o.data ?? []).length > 0 ? ' (and PythonOperator tasks where said below)' : ''}. ` +
      "Each task's config is the exact request " +
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
    ...(has('ModelPackage')
      ? [
          "Model packages: the provider has no operator that sends CreateModelPackage as planned, so a PythonOperator " +
            "calls the provider's SageMakerHook with the same request and waits until the package is Completed; a " +
            'retry after SageMaker created it waits for that package instead of failing.',
        ]
      : []),
    ...(!codes.any
      ? []
      : [
          `Code: the ${UPLOAD_TASK} task runs before the steps that use code and uploads each archive to ` +
            '<prefix>/<sha256>/sourcedir.tar.gz, unless that key exists already: the key names the content, so retries ' +
            "and re-runs find the same archive and succeed (the provider's own S3Operations upload with replace=False " +
            'and fail the second time). ' +
            (codes.archive
              ? 'It uploads the sourcedir.tar.gz that sagespec packed at export time, byte for byte; the archive files ' +
                'must be on the Airflow workers at the paths given.'
              : "It tars the source directory on the Airflow worker (the provider's tar_and_s3_upload); the hash is of " +
                "sagespec's archive of the files as they were at export time. The directory must be on the workers at " +
                "the path given. The layout is sagespec's (contents at the root); the bytes are the worker's own tar of " +
                'the same files, so edit the code only together with a new export.'),
        ]),
    ...((o.data ?? []).length === 0
      ? []
      : [
          `Data: the ${UPLOAD_TASK} task also puts the program's data objects in S3 (a RecordSet's shards, then its ` +
            'manifest) before the steps that read them, skipping each key that exists: the keys name the content, so ' +
            'retries and re-runs succeed. ' +
            ((o.data ?? []).some((d) => d.source._tag === 'File')
              ? 'The objects are files sagespec wrote at export time; they must be on the Airflow workers at the paths given.'
              : 'The objects are in this file (base64).'),
        ]),
    ...(repacksOf(plan).length === 0
      ? []
      : [
          'Repacks: the serving container reads the inference code from the model archive (/opt/ml/model/code), so a ' +
            'repack_<model> task runs after the training and before the model: it downloads the model archive, adds ' +
            'code/ from the uploaded code archive (dependencies under code/lib/), and uploads it to ' +
            '<prefix>/<sha256 of the archive and the code>/model.tar.gz unless that key exists, the same key sagespec\'s ' +
            'runners use; the model task reads the URI it returns.',
        ]),
    `Requires Airflow 2.4 or later and apache-airflow-providers-amazon ${has('Endpoint') ? '8.6.0 or later: before 8.6.0, ' +
      "when operation='create' finds the endpoint and falls back to an update, it sends the config's Tags to " +
      'UpdateEndpoint, which refuses them' : "from 2023 or later (action_if_job_exists='timestamp')"}. ` +
      `AWS credentials come from the ${o.awsConnId ?? 'aws_default'} connection` +
      (o.region === undefined
        ? ', in its region.'
        : `; every task calls ${o.region} (region_name: a provider release whose SageMaker operators do not take it ` +
          'refuses this file when Airflow parses it, rather than running in another region).'),
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
    ...(da.email === undefined ? [] : [[py.str('email'), py.list(da.email.map((e) => py.str(e)))] as const]),
    ...(da.email === undefined && da.emailOnFailure === undefined ? [] : [[py.str('email_on_failure'), py.bool(da.emailOnFailure ?? true)] as const]),
    ...(da.executionTimeoutMinutes === undefined
      ? []
      : [[py.str('execution_timeout'), py.raw(`timedelta(minutes=${printPy(num(da.executionTimeoutMinutes))})`)] as const]),
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

/** The helpers a plan's tasks call. */
const helpersOf = (plan: Plan, uploads: ReadonlyArray<unknown>): ReadonlyArray<Helper> => [
  ...(uploads.length > 0 ? (['upload_code'] as const) : []),
  ...(repacksOf(plan).length > 0 ? (['repack_model'] as const) : []),
  ...new Set(plan.steps.flatMap((s) => (opOf(s).callable === undefined ? [] : [opOf(s).callable as Helper]))),
]

const HELPER_IMPORTS: { readonly [K in Helper]: ReadonlyArray<string> } = {
  upload_code: ['import base64', 'from airflow.providers.amazon.aws.hooks.s3 import S3Hook', 'from airflow.providers.amazon.aws.hooks.sagemaker import SageMakerHook'],
  repack_model: ['import hashlib', 'import os', 'import shutil', 'import tarfile', 'import tempfile', 'from airflow.providers.amazon.aws.hooks.s3 import S3Hook'],
  create_model_package: ['import json', 'from botocore.exceptions import ClientError', 'from airflow.providers.amazon.aws.hooks.sagemaker import SageMakerHook'],
}

const imports = (plan: Plan, o: DagOptions, helpers: ReadonlyArray<Helper>): string[] => {
  const modules = new Map<string, Set<string>>()
  const add = (module: string, cls: string) => modules.set(module, (modules.get(module) ?? new Set()).add(cls))
  for (const s of plan.steps) add(opOf(s).module, opOf(s).className)
  if (helpers.length > 0) add('airflow.operators.python', 'PythonOperator')
  const fromImports = [...modules.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap(([module, set]) => {
      const classes = [...set].sort()
      const line = `from ${module} import ${classes.join(', ')}`
      return line.length <= WIDTH ? [line] : [`from ${module} import (`, ...classes.map((c) => `    ${c},`), ')']
    })
  const extra = [...new Set(helpers.flatMap((h) => HELPER_IMPORTS[h]))]
  const timedelta = o.defaultArgs?.retryDelayMinutes !== undefined || o.defaultArgs?.executionTimeoutMinutes !== undefined
  const stdlib = [
    ...['import base64', 'import hashlib', 'import json', 'import os', 'import shutil', 'import tarfile', 'import tempfile'].filter((l) => extra.includes(l)),
    ...(timedelta ? ['from datetime import timedelta'] : []),
  ]
  return [
    ...(stdlib.length === 0 ? [] : [...stdlib, '']),
    'import pendulum',
    ...extra.filter((l) => l.startsWith('from botocore')),
    'from airflow import DAG',
    ...(plan.params.length === 0 ? [] : ['from airflow.models.param import Param']),
    ...extra.filter((l) => l.startsWith('from airflow')),
    ...fromImports,
  ]
}

const opOf = (s: PlannedStep): OperatorSpec => {
  const op = operatorOf(s.kind)
  // airflowProblems refused steps without an operator.
  if (op === undefined) throw new Error(`toAirflowDag: no operator for ${s.kind}`)
  return op
}

/**
 * Whether a step's requests hold code outside its config (the part the checks walk): the rest of each
 * request whose input is in the config, and every other request whole.
 */
const codeOutside = (s: PlannedStep, config: Readonly<Record<string, unknown>>): boolean =>
  s.requests.some((r) => {
    const inConfig = config === r.input || Object.values(config).includes(r.input)
    if (!inConfig) return holdsCode(r)
    for (const k of Object.keys(r)) if (k !== 'input' && holdsCode((r as Readonly<Record<string, unknown>>)[k])) return true
    return false
  })

/** The pieces of the DAG file, in order, after everything that keeps it from being written was found. */
type Pieces = (write: (piece: string) => void) => void

/**
 * Checks, then the pieces of the file. With `oneWalk`, each step's config is checked leaf by leaf as
 * it is printed, and kept as one string until it is written (most of the file): the plan is walked
 * once. Once a problem is found nothing more is printed (the checks go on, so every problem is
 * reported), and a programmer error thrown while printing is thrown again only if the checks find
 * no problem, as when the whole plan was checked before anything was printed. Without `oneWalk`, the
 * configs are checked first and printed one by one as they are written, so the file is never held
 * (a second walk of the plan, for the memory of a large plan written to a file).
 */
const render = (plan: Plan, o: DagOptions, oneWalk: boolean): E.Either<NonEmptyArray<ExportError>, Pieces> => {
  const errors: ExportError[] = [...optionErrors(o), ...scheduleProblems(plan, o)]
  const stamp = o.runStamp ?? 'ts_nodash'
  const uploads = o.code ?? new Map<string, CodeUpload>()
  const repacks = repacksOf(plan)
  const repackIds = repackTaskIds(repacks)
  const repackIdOf = new Map(repacks.map((a, i) => [JSON.stringify(a.repack), repackIds[i]!]))
  const kinds = new Map(plan.steps.map((s) => [s.name, s.kind]))
  const ctx: TemplateContext = {
    kinds,
    runStamp: stamp,
    repackTask: (r) => repackIdOf.get(JSON.stringify(r))!,
    codeUri: (c) => {
      const u = uploads.get(codeKey(c))
      // The checks reported it already (and nothing is printed after a problem).
      if (u === undefined) throw new Error(`toAirflowDag: code ${c.entryPoint} was not packed`)
      return codeLocation(c, u.sha256).uri
    },
  }
  const names = variableNames(plan.steps, repackIds)
  let failed: { readonly error: unknown } | undefined
  const printing = () => errors.length === 0 && failed === undefined
  const printer = valuePrinter(isPyLeaf, (v) => {
    if (!printing()) return ''
    try {
      return pyLeaf(v, ctx)
    } catch (error) {
      failed = { error }
      return ''
    }
  })
  // `<name>_config = ` and the printed config as two pieces: the config's text is copied only into the file.
  const configText = (s: PlannedStep, config: Readonly<Record<string, unknown>>, visit?: LeafVisitor): readonly [string, string] => {
    const v = names.get(s.name)!.config
    const text = printer.print(config, { column: codePoints(v) + 3, width: WIDTH }, visit)
    if (failed !== undefined && visit === undefined) throw failed.error
    return [`${v} = `, text]
  }
  const stepConfigs: string[] = []
  let codeElsewhere = false
  for (const s of plan.steps) {
    checkStep(s, plan, kinds, o, errors, (config, visit) => {
      if (!oneWalk) eachLeaf(config, visit)
      else {
        const [assign, text] = configText(s, config, visit)
        if (printing()) stepConfigs.push(assign, text)
      }
      // Without packed code, code inside a config is refused; what the header says depends on the rest.
      if (printing() && uploads.size === 0 && !codeElsewhere) codeElsewhere = codeOutside(s, config)
    })
  }
  if (errors.length > 0) return E.left(errors as NonEmptyArray<ExportError>)
  if (failed !== undefined) throw failed.error
  const codes =
    uploads.size === 0
      ? { any: codeElsewhere, archive: false }
      : (() => {
          const found = plan.steps.flatMap((s) => codesIn(s.requests).map((c) => uploads.get(codeKey(c))))
          return { any: found.length > 0, archive: found.some((u) => u?._tag === 'Archive') }
        })()
  // Code archives, then data objects (shards before their manifest): one task puts them all.
  const data = o.data ?? []
  const toUpload = [
    ...codeUploads(plan, uploads),
    ...data.map((d) =>
      d.source._tag === 'Inline' ? { Data: d.source.base64, Bucket: d.bucket, Key: d.key, Tar: false } : { Path: d.source.path, Bucket: d.bucket, Key: d.key, Tar: false },
    ),
  ]
  const helpers = helpersOf(plan, toUpload)
  const uploadConfig = toUpload.length === 0 ? undefined : `${UPLOAD_CONFIG} = ${printValue(toUpload, isPyLeaf, (x) => pyLeaf(x, ctx), { column: codePoints(UPLOAD_CONFIG) + 3, width: WIDTH })}`
  // Every task talks to AWS through the same connection and region, when the user names them.
  const aws = [
    ...(o.awsConnId === undefined ? [] : [['aws_conn_id', py.str(o.awsConnId)] as const]),
    ...(o.region === undefined ? [] : [['region_name', py.str(o.region)] as const]),
  ]
  const pythonTask = (taskId: string, fn: string, args: ReadonlyArray<readonly [string, Node]>): Node =>
    call('PythonOperator', [
      ['task_id', pyNode(py.str(taskId))],
      ['python_callable', name(fn)],
      ['op_kwargs', { _tag: 'Map', entries: [...args, ...aws.map(([k, v]) => [k, pyNode(v)] as const)].map(([k, v]) => [pyStr(k), v] as const) }],
    ])
  const operatorTasks = operatorTaskPrinter(aws)
  const stepTask = (s: PlannedStep): string => {
    const { task, config } = names.get(s.name)!
    const op = opOf(s)
    return op.callable !== undefined ? assignTask(task, pythonTask(s.name, op.callable, [['config', name(config)]])) : operatorTasks(task, s.name, op, config)
  }
  const repackTask = (a: RepackAsset, id: string): Node => {
    const c = a.repack.code
    const u = uploads.get(codeKey(c))
    // airflowProblems reported code that was not packed; the CLI packs every layout.
    if (u?.servingSha256 === undefined) throw new Error(`toAirflowDag: the serving code of ${a.usedBy.join(', ')} was not packed`)
    const archive = codeLocation(c, u.sha256)
    const prefix = archive.key.split('/').slice(0, -2).join('/')
    return pythonTask(id, 'repack_model', [
      // The model archive is one leaf: a ref (templated) or a literal URI.
      ['model', pyNode(py.str(isExpr(a.repack.model) ? exprTemplate(a.repack.model, ctx) : literalText(a.repack.model)))],
      ['code_bucket', pyNode(py.str(archive.bucket))],
      ['code_key', pyNode(py.str(archive.key))],
      ['code_sha256', pyNode(py.str(u.servingSha256))],
      ['dependencies', pyNode(py.list((c.dependencies ?? []).map((d) => py.str(d.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? d))))],
      ['replace_code', pyNode(py.bool(c.sourceDir !== undefined))],
      ['bucket', pyNode(py.str(archive.bucket))],
      ['prefix', pyNode(py.str(prefix))],
    ])
  }
  const usesData = (s: PlannedStep) => {
    const text = JSON.stringify(s.requests)
    return data.some((d) => text.includes(JSON.stringify(d.uri)))
  }
  const usesCode = (s: PlannedStep) => toUpload.length > 0 && (codesIn(s.requests).some((c) => uploads.has(codeKey(c))) || usesData(s))
  const pad = ' '.repeat(INDENT)
  const edges: string[] = []
  for (const s of plan.steps) {
    const task = names.get(s.name)!.task
    if (usesCode(s)) edges.push(`${pad}${UPLOAD_TASK_VAR} >> ${task}`)
    for (const d of s.dependsOn) edges.push(`${pad}${names.get(d)!.task} >> ${task}`)
  }
  // A repack runs after the code is uploaded and the model made, before the steps that serve it.
  repacks.forEach((a, i) => {
    const task = names.get(repackIds[i]!)!.task
    if (toUpload.length > 0) edges.push(`${pad}${UPLOAD_TASK_VAR} >> ${task}`)
    for (const d of a.dependsOn) edges.push(`${pad}${names.get(d)!.task} >> ${task}`)
    for (const u of a.usedBy) edges.push(`${pad}${task} >> ${names.get(u)!.task}`)
  })
  // Made now, so a plan whose serving code was not packed fails before anything is written.
  const repackTasks = repacks.map((a, i) => assignTask(names.get(repackIds[i]!)!.task, repackTask(a, repackIds[i]!)))
  const head = [header(plan, o, stamp, codes).join('\n'), imports(plan, o, helpers).join('\n'), ...helpers.map((h) => HELPERS[h].join('\n'))]
  const dag = `with ${layout(dagNode(plan, o), 0, 5, 8)} as dag:\n`
  const taskCount = (toUpload.length === 0 ? 0 : 1) + plan.steps.length + repacks.length
  return E.right((write) => {
    for (const section of head) write(`${section}\n\n`)
    const configs = (uploadConfig === undefined ? 0 : 1) + plan.steps.length
    if (uploadConfig !== undefined) write(uploadConfig)
    plan.steps.forEach((s, i) => {
      const [assign, text] = oneWalk ? [stepConfigs[2 * i]!, stepConfigs[2 * i + 1]!] : configText(s, opOf(s).config(s.requests))
      write(i === 0 && uploadConfig === undefined ? assign : `\n\n${assign}`)
      write(text)
    })
    if (configs > 0) write('\n\n')
    write(dag)
    if (taskCount === 0 && edges.length === 0) write(`${pad}pass`)
    let first = true
    const task = (t: string) => {
      if (!first) write('\n\n')
      write(t)
      first = false
    }
    if (toUpload.length > 0) task(assignTask(UPLOAD_TASK_VAR, pythonTask(UPLOAD_TASK, 'upload_code', [['uploads', name(UPLOAD_CONFIG)]])))
    for (const s of plan.steps) task(stepTask(s))
    repackTasks.forEach(task)
    if (taskCount > 0 && edges.length > 0) write('\n\n')
    edges.forEach((e, i) => write(i === 0 ? e : `\n${e}`))
    write('\n')
  })
}

const assignTask = (task: string, node: Node) => `${' '.repeat(INDENT)}${task} = ${layout(node, INDENT, INDENT + codePoints(task) + 3, 0)}`

/**
 * `task = Operator(task_id=…, config=…, <the operator's own arguments>)` for a step the provider's
 * operator runs: what `assignTask` writes for that call, with the arguments every step of the kind
 * shares laid out once per operator.
 */
const operatorTaskPrinter = (aws: ReadonlyArray<readonly [string, PyExpr]>) => {
  const shared = new Map<OperatorSpec, { readonly flat: string; readonly lines: string }>()
  const inner = INDENT + INDENT
  return (task: string, taskId: string, op: OperatorSpec, config: string): string => {
    let rest = shared.get(op)
    if (rest === undefined) {
      const args = [...op.kwargs, ...aws].map(([k, v]) => [k, pyNode(v)] as const)
      rest = {
        flat: args.map(([k, v]) => `, ${k}=${flat(v)}`).join(''),
        lines: args.map(([k, v]) => `\n${' '.repeat(inner)}${k}=${layout(v, inner, inner + codePoints(`${k}=`), 1)},`).join(''),
      }
      shared.set(op, rest)
    }
    const id = pyStr(taskId)
    const one = `${op.className}(task_id=${id}, config=${config}${rest.flat})`
    const pad = ' '.repeat(INDENT)
    const call =
      INDENT + codePoints(task) + 3 + codePoints(one) <= WIDTH
        ? one
        : `${op.className}(\n${pad}${pad}task_id=${id},\n${pad}${pad}config=${config},${rest.lines}\n${pad})`
    return `${pad}${task} = ${call}`
  }
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
 * The DAG file for `plan` in pieces, or every reason it cannot be written (then nothing is written).
 * `write` gets the file in order, in pieces of about `chunk` characters (joined, they are
 * `toAirflowDag`'s text byte for byte), so a large DAG goes to a file without ever being one string:
 * the plan is checked first, then each step's config is printed as it is written (so a programmer
 * error in printing one, such as a request holding NaN, is thrown while writing).
 *
 * @category interpreters
 */
export const writeAirflowDag =
  (options: DagOptions, chunk = 1 << 16) =>
  (plan: Plan): E.Either<NonEmptyArray<ExportError>, (write: (chunk: string) => void) => void> =>
    E.map((pieces: Pieces) => (write: (chunk: string) => void) => {
      let batch: string[] = []
      let size = 0
      pieces((piece) => {
        batch.push(piece)
        size += piece.length
        if (size >= chunk) {
          write(batch.join(''))
          batch = []
          size = 0
        }
      })
      if (batch.length > 0) write(batch.join(''))
    })(render(plan, options, false))

/**
 * The DAG file for `plan`, or every reason it cannot be written.
 *
 * @category interpreters
 */
export const exportAirflowDag =
  (options: DagOptions) =>
  (plan: Plan): E.Either<NonEmptyArray<ExportError>, string> =>
    E.map((pieces: Pieces) => {
      // Joined once: joining sections first would hold more copies of most of the file at the peak.
      const all: string[] = []
      pieces((piece) => void all.push(piece))
      return all.join('')
    })(render(plan, options, true))

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
