/**
 * `sagespec airflow <program>`: write an Apache Airflow DAG for the program. Nothing is sent to AWS;
 * training code is packed locally to name its archive by content (and, with `--code-archive-dir`,
 * written out so the DAG uploads exactly that archive).
 *
 * @since 0.1.0
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { codeKey, codeRoot, describePackError, gzipArchive, packCode, ARCHIVE_NAME } from '../interpret/code/pack.js'
import type { CodeUpload } from '../interpret/airflow/check.js'
import { describeExportError } from '../interpret/airflow/check.js'
import { codeOf, optionErrors, writeAirflowDag, type DagOptions, type DataUpload, type DefaultArgs } from '../interpret/airflow/dag.js'
import type { DataObject } from './load.js'
import { RUN_STAMPS, type RunStamp } from '../interpret/airflow/templates.js'
import type { Plan } from '../interpret/plan/plan.js'
import { writeAtomic } from '../interpret/execute/journal.js'
import { compile, type Io } from './compile.js'
import { parseCommand } from './args.js'

export const usage = `Usage: sagespec airflow <program.ts|program.json> [options]

Writes an Apache Airflow DAG (Python) that runs the program with the Amazon provider's SageMaker
operators. Nothing is sent to AWS.

Options:
  -o, --output FILE           write the DAG to FILE (default: standard output)
  --dag-id ID                 the DAG id (default: the program file's name)
  --schedule CRON|@daily|none when to run: a 5-field cron expression, an Airflow preset, or none for
                              manual runs only (default: none)
  --start-date YYYY-MM-DD     the DAG's start date, UTC (default: 2024-01-01; runs are not backfilled)
  --default-args JSON         task defaults: owner, retries, retryDelayMinutes, email (a list),
                              emailOnFailure, executionTimeoutMinutes; e.g.
                              '{"owner": "ml", "retries": 2, "retryDelayMinutes": 5, "email": ["ml@example.com"],
                                "emailOnFailure": true, "executionTimeoutMinutes": 720}'
  --aws-conn-id ID            the Airflow connection with AWS credentials (default: aws_default)
  --region REGION             the AWS region every task calls (default: the connection's)
  --run-stamp STAMP           what ends each run's job names: ts_nodash (default), ds_nodash or run_hash
  --code-archive-dir DIR      pack training code into DIR/<sha256>/${ARCHIVE_NAME} and have the DAG upload
                              those archives as they are (needed for code with dependencies); by default
                              each task tars the source directory on the Airflow worker
  --worker-code-root DIR      where the current directory is on the Airflow workers, for code paths
                              (default: the same absolute paths as here)
  -p, --param name=value      bind a program parameter now instead of at run time (repeatable)`

const DEFAULT_ARGS_KEYS: ReadonlyArray<keyof DefaultArgs> = ['owner', 'retries', 'retryDelayMinutes', 'email', 'emailOnFailure', 'executionTimeoutMinutes']

const parseDefaultArgs = (raw: string | undefined): E.Either<string, DefaultArgs | undefined> => {
  if (raw === undefined) return E.right(undefined)
  let u: unknown
  try {
    u = JSON.parse(raw)
  } catch (e) {
    return E.left(`--default-args: not valid JSON (${(e as Error).message})`)
  }
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return E.left('--default-args: expected a JSON object such as {"owner": "ml", "retries": 2}')
  const unknown = Object.keys(u).filter((k) => !(DEFAULT_ARGS_KEYS as ReadonlyArray<string>).includes(k))
  if (unknown.length > 0) return E.left(`--default-args: unknown key ${JSON.stringify(unknown[0])} (expected ${DEFAULT_ARGS_KEYS.join(', ')})`)
  // Types are checked with the other options, so every problem is reported at once.
  return E.right(u as DefaultArgs)
}

/** The program file's name as a DAG id: `examples/train-deploy.ts` → `train-deploy`. */
const dagIdOf = (file: string): string => basename(file, extname(file)).replace(/[^A-Za-z0-9_.-]/g, '_') || 'sagespec'

interface CodeFlags {
  readonly cwd: string
  readonly archiveDir?: string
  readonly workerRoot?: string
}

/** A local path as the workers see it. */
const onWorker = (abs: string, f: CodeFlags): E.Either<string, string> => {
  if (f.workerRoot === undefined) return E.right(abs)
  const rel = relative(f.cwd, abs)
  if (rel.startsWith('..') || isAbsolute(rel)) return E.left(`${abs}: outside the current directory, so --worker-code-root cannot map it`)
  return E.right(rel === '' ? f.workerRoot : `${f.workerRoot.replace(/\/+$/, '')}/${rel.split(/[\\/]/).join('/')}`)
}

/** Pack every code archive the plan needs: its hash names the S3 key, whichever way it is uploaded. */
const packAll = (plan: Plan, f: CodeFlags): E.Either<ReadonlyArray<string>, ReadonlyMap<string, CodeUpload>> => {
  const errors: string[] = []
  const uploads = new Map<string, CodeUpload>()
  for (const c of codeOf(plan)) {
    const packed = packCode(c, { cwd: f.cwd })
    if (E.isLeft(packed)) {
      errors.push(describePackError(packed.left))
      continue
    }
    const { sha256, tar } = packed.right
    // The sha256 of the same files laid out as a model's code/: it names repacked archives.
    const serving = packCode(c, { cwd: f.cwd, layout: 'model-code' })
    let local = codeRoot(c, f.cwd)
    if (f.archiveDir !== undefined) {
      local = join(resolve(f.cwd, f.archiveDir), sha256, ARCHIVE_NAME)
      try {
        mkdirSync(dirname(local), { recursive: true })
        writeFileSync(local, gzipArchive(tar))
      } catch (e) {
        errors.push(`${local}: cannot write the code archive (${(e as Error).message})`)
        continue
      }
    }
    const path = onWorker(local, f)
    if (E.isLeft(path)) errors.push(path.left)
    else
      uploads.set(codeKey(c), {
        _tag: f.archiveDir === undefined ? 'TarAtRunTime' : 'Archive',
        sha256,
        path: path.right,
        ...(E.isRight(serving) ? { servingSha256: serving.right.sha256 } : {}),
      })
  }
  return errors.length > 0 ? E.left(errors) : E.right(uploads)
}

/** Data this size or smaller goes into the DAG file itself; more needs --code-archive-dir. */
const INLINE_DATA_LIMIT = 1024 * 1024

/**
 * The module's data objects as the DAG uploads them: inline (base64) when small, else written to
 * `<archive dir>/data/<bucket>/<key>` for the workers.
 */
const dataUploads = (objects: ReadonlyArray<DataObject>, f: CodeFlags): E.Either<ReadonlyArray<string>, ReadonlyArray<DataUpload>> => {
  const total = objects.reduce((n, o) => n + o.bytes.length, 0)
  if (f.archiveDir === undefined) {
    if (total > INLINE_DATA_LIMIT)
      return E.left([`the program's uploads are ${total} bytes, too many to write into the DAG file: export with --code-archive-dir DIR to write them beside it`])
    return E.right(objects.map((o) => ({ bucket: o.bucket, key: o.key, uri: o.uri, source: { _tag: 'Inline', base64: Buffer.from(o.bytes).toString('base64') } })))
  }
  const errors: string[] = []
  const out: DataUpload[] = []
  const root = join(resolve(f.cwd, f.archiveDir), 'data')
  for (const o of objects) {
    // Keys become paths: they must stay below the folder.
    const parts = [o.bucket, ...o.key.split('/')]
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\'))) {
      errors.push(`upload ${o.uri}: its key cannot be written as a file below ${root}`)
      continue
    }
    const local = join(root, ...parts)
    try {
      mkdirSync(dirname(local), { recursive: true })
      writeFileSync(local, o.bytes)
    } catch (e) {
      errors.push(`${local}: cannot write the upload (${(e as Error).message})`)
      continue
    }
    const path = onWorker(local, f)
    if (E.isLeft(path)) errors.push(path.left)
    else out.push({ bucket: o.bucket, key: o.key, uri: o.uri, source: { _tag: 'File', path: path.right } })
  }
  return errors.length > 0 ? E.left(errors) : E.right(out)
}

export const airflowCommand = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const parsed = parseCommand(args, {
        output: { type: 'string', short: 'o' },
        'dag-id': { type: 'string' },
        schedule: { type: 'string' },
        'start-date': { type: 'string' },
        'default-args': { type: 'string' },
        'run-stamp': { type: 'string' },
        'aws-conn-id': { type: 'string' },
        region: { type: 'string' },
        'code-archive-dir': { type: 'string' },
        'worker-code-root': { type: 'string' },
        param: { type: 'string', short: 'p', multiple: true },
      }, usage, io)
  if (!parsed.ok) return parsed.code
  const v = parsed.values
  const file = parsed.positionals[0]
  if (file === undefined || parsed.positionals.length > 1) {
    io.err(usage)
    return 2
  }
  const stamp = v['run-stamp'] ?? 'ts_nodash'
  if (!Object.prototype.hasOwnProperty.call(RUN_STAMPS, stamp)) {
    io.err(`--run-stamp: expected one of ${Object.keys(RUN_STAMPS).join(', ')}, got "${stamp}"`)
    return 2
  }
  const defaultArgs = parseDefaultArgs(v['default-args'])
  if (E.isLeft(defaultArgs)) {
    io.err(defaultArgs.left)
    return 2
  }
  const workerRoot = v['worker-code-root']
  if (workerRoot !== undefined && !workerRoot.startsWith('/')) {
    io.err(`--worker-code-root: expected an absolute path on the workers, got "${workerRoot}"`)
    return 2
  }

  // Options alone are checked before the program is loaded: a usage error (exit 2), like the others.
  const schedule = v.schedule === undefined || v.schedule === 'none' ? null : v.schedule
  const base: Omit<DagOptions, 'code'> = {
    dagId: v['dag-id'] ?? dagIdOf(file),
    schedule,
    startDate: v['start-date'] ?? '2024-01-01',
    ...(defaultArgs.right !== undefined ? { defaultArgs: defaultArgs.right } : {}),
    runStamp: stamp as RunStamp,
    source: file,
    ...(v['aws-conn-id'] !== undefined ? { awsConnId: v['aws-conn-id'] } : {}),
    ...(v.region !== undefined ? { region: v.region } : {}),
  }
  const bad = optionErrors(base)
  if (bad.length > 0) {
    for (const e of bad) io.err(`--${e.path.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${describeExportError(e).replace(/^[^:]*: /, '')}`)
    return 2
  }

  const compiled = await compile(io, file, v.param ?? [])
  if (!compiled.ok) return compiled.code
  const plan = compiled.plan

  const code = packAll(plan, { cwd: process.cwd(), ...(v['code-archive-dir'] !== undefined ? { archiveDir: v['code-archive-dir'] } : {}), ...(workerRoot !== undefined ? { workerRoot } : {}) })
  if (E.isLeft(code)) {
    io.err(`${file}: cannot pack the program's code; nothing was written.`)
    for (const e of code.left) io.err(`  ${e}`)
    return 1
  }
  const data = dataUploads(compiled.uploads, { cwd: process.cwd(), ...(v['code-archive-dir'] !== undefined ? { archiveDir: v['code-archive-dir'] } : {}), ...(workerRoot !== undefined ? { workerRoot } : {}) })
  if (E.isLeft(data)) {
    io.err(`${file}: cannot prepare the program's uploads; nothing was written.`)
    for (const e of data.left) io.err(`  ${e}`)
    return 1
  }
  const options: DagOptions = { ...base, code: code.right, ...(data.right.length === 0 ? {} : { data: data.right }) }
  // Written in pieces, never held as one string (10,000 steps make a DAG of about 17 MB).
  const dag = writeAirflowDag(options)(plan)
  if (E.isLeft(dag)) {
    const written = v['code-archive-dir'] !== undefined ? ` (code archives already in ${v['code-archive-dir']} are content-addressed and can stay)` : ''
    io.err(`${file}: ${dag.left.length} problem${dag.left.length === 1 ? '' : 's'} exporting to Airflow; no DAG was written${written}.`)
    for (const e of dag.left) io.err(`  ${describeExportError(e)}`)
    return 1
  }
  if (v.output === undefined) {
    const bytes = io.write
    if (bytes !== undefined) dag.right((chunk) => bytes(Buffer.from(chunk)))
    else {
      const chunks: string[] = []
      dag.right((chunk) => void chunks.push(chunk))
      io.out(chunks.join(''))
    }
    return 0
  }
  // Replaced whole (a temporary file, then rename): Airflow's scheduler never parses half a DAG.
  try {
    writeAtomic(v.output, dag.right)
  } catch (e) {
    io.err(`${v.output}: cannot write the DAG (${(e as Error).message})`)
    return 1
  }
  io.err(`wrote ${v.output}: DAG ${JSON.stringify(options.dagId)}, ${plan.steps.length} task${plan.steps.length === 1 ? '' : 's'}`)
  return 0
}
