/**
 * The shared state of the local backend: its folder (`<stateDir>/local/`), the chosen runtime, a
 * record store that outlives the command (so a later `--resume` can describe what an earlier one
 * made), per-job log buffers, a notifier that wakes the executor the moment a job changes, and a
 * lazily created S3 client for `s3://` data.
 *
 * Each family of operations (training, models, endpoints, transform, tuning) is one module that
 * exports a `Handlers` table over this context; `backend.ts` merges the tables.
 *
 * @since 0.2.0
 */
import { randomBytes } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import { writeAtomic } from '../interpret/execute/journal.js'
import type { LogLine } from '../interpret/execute/port.js'
import { serviceError, type Input, type OperationName, type Output } from '../interpret/plan/operations.js'
import type { Runtime } from './runtime/runtime.js'

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/** A JSON file per thing, replaced atomically: `<local>/<family>/<name>.json`. */
export interface Records<A> {
  readonly get: (name: string) => A | undefined
  readonly put: (name: string, a: A) => void
  readonly list: () => ReadonlyArray<A>
  readonly remove: (name: string) => void
  /** The folder beside the record where the thing keeps its files (`<local>/<family>/<name>/`). */
  readonly dir: (name: string) => string
}

export interface LogBuffers {
  readonly append: (job: string, line: LogLine) => void
  /** Lines after `cursor` (a line count); the new cursor. */
  readonly read: (job: string, cursor: number) => { readonly lines: ReadonlyArray<LogLine>; readonly cursor: number }
  /** Whether this command has a buffer for the job (it runs, or ran, the job). */
  readonly has: (job: string) => boolean
  /** Also append the job's lines to this file (its folder), for a person to read after the command. */
  readonly toFile: (job: string, file: string) => void
}

export interface Notifier {
  /** Wake whoever waits on `name`. */
  readonly notify: (name: string) => void
  /** Resolves on the next `notify(name)`, after `timeoutMs`, or when `signal` aborts. */
  readonly changed: (name: string, timeoutMs: number, signal?: AbortSignal) => Promise<void>
}

export interface LocalContext {
  /** `<stateDir>/local` */
  readonly dir: string
  /** Relative `file://` paths in requests are resolved against this (the program's folder). */
  readonly baseDir: string
  readonly runtime: Runtime
  /**
   * A runtime of another kind, for what an earlier command started there (an endpoint deployed as
   * processes, deleted by a command that chose Docker); the reason when this machine has none.
   */
  readonly runtimeFor?: (kind: Runtime['kind']) => Promise<Runtime | string>
  /** Stands in for the account's region in ARNs and `AWS_REGION`. */
  readonly region: string
  /** Tells this backend's jobs from those of other commands (a record names its owner). */
  readonly owner: { readonly pid: number; readonly token: string }
  readonly records: <A>(family: string) => Records<A>
  readonly logs: LogBuffers
  readonly notifier: Notifier
  /** The S3 client, made on first use: nothing needs credentials until something touches S3. */
  readonly s3: () => Promise<S3Client>
  readonly now: () => Date
  /** Progress lines for the person running (the CLI's `say`). */
  readonly say: (line: string) => void
  /** How long a stopped job gets between SIGTERM and SIGKILL. */
  readonly stopGraceMs: number
  /** Run at `close`, last registered first: stop what this command runs, close servers. */
  readonly onClose: (f: () => Promise<void>) => void
}

export type Handler<K extends OperationName> = (input: Input<K>, ctx: LocalContext) => Promise<Output<K>>

/** One family's operations. @category model */
export type Handlers = Partial<{ readonly [K in OperationName]: Handler<K> }>

// -------------------------------------------------------------------------------------
// records
// -------------------------------------------------------------------------------------

/** SageMaker names (letters, digits, inner hyphens, up to 63): also safe as file names. */
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/

/** A request's name, checked before it becomes a path. */
export const checkName = (field: string, name: unknown): string => {
  if (typeof name !== 'string' || !NAME.test(name))
    throw serviceError('ValidationException', `1 validation error detected: Value '${String(name)}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}`)
  return name
}

// Dates are stored as ISO strings and handed back as Dates, as the SDK returns them.
const DATE_KEY = /(Time|Timestamp)$/
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/

/** JSON read back with the SDK's types: ISO strings under `…Time` keys become Dates. */
export const revive = (text: string): unknown => JSON.parse(text, (k, v) => (DATE_KEY.test(k) && typeof v === 'string' && ISO.test(v) ? new Date(v) : v))

export const fileRecords = <A>(root: string, family: string): Records<A> => {
  const folder = join(root, family)
  const file = (name: string) => join(folder, `${name}.json`)
  return {
    get: (name) => {
      if (!NAME.test(name) || !existsSync(file(name))) return undefined
      return revive(readFileSync(file(name), 'utf8')) as A
    },
    put: (name, a) => {
      mkdirSync(folder, { recursive: true })
      writeAtomic(file(name), `${JSON.stringify(a, null, 2)}\n`)
    },
    list: () =>
      existsSync(folder)
        ? readdirSync(folder)
            .filter((f) => f.endsWith('.json'))
            .sort()
            .flatMap((f) => {
              try {
                return [revive(readFileSync(join(folder, f), 'utf8')) as A]
              } catch {
                return []
              }
            })
        : [],
    remove: (name) => rmSync(file(name), { force: true }),
    dir: (name) => join(folder, name),
  }
}

// -------------------------------------------------------------------------------------
// logs
// -------------------------------------------------------------------------------------

/**
 * Lines in memory for the executor to follow (the last `keep` of each job: a chatty job must not
 * fill memory; the log file has them all), and in the job's log file where one is set. Cursors count
 * lines from the job's first, so dropping old lines does not move them.
 */
export const logBuffers = (keep = 50_000): LogBuffers => {
  const buffers = new Map<string, { lines: LogLine[]; dropped: number }>()
  const files = new Map<string, string>()
  return {
    has: (job) => buffers.has(job),
    toFile: (job, file) => {
      files.set(job, file)
    },
    append: (job, line) => {
      let b = buffers.get(job)
      if (b === undefined) buffers.set(job, (b = { lines: [], dropped: 0 }))
      b.lines.push(line)
      if (b.lines.length > keep * 2) {
        b.dropped += b.lines.length - keep
        b.lines = b.lines.slice(-keep)
      }
      const f = files.get(job)
      if (f !== undefined) {
        try {
          appendFileSync(f, `[${line.host}] ${line.line}\n`)
        } catch {
          // The log file is a courtesy: a full disk must not fail the job's bookkeeping.
        }
      }
    },
    read: (job, cursor) => {
      const b = buffers.get(job) ?? { lines: [], dropped: 0 }
      return { lines: b.lines.slice(Math.max(0, cursor - b.dropped)), cursor: b.dropped + b.lines.length }
    },
  }
}

// -------------------------------------------------------------------------------------
// notifier
// -------------------------------------------------------------------------------------

export const notifier = (): Notifier => {
  const waiting = new Map<string, Set<() => void>>()
  // A change nobody was waiting for wakes the next waiter at once: a caller that looked (Describe)
  // just before the change and waits just after it must not sleep through it.
  const unseen = new Set<string>()
  return {
    notify: (name) => {
      const w = waiting.get(name)
      waiting.delete(name)
      if (w === undefined || w.size === 0) unseen.add(name)
      for (const wake of w ?? []) wake()
    },
    changed: (name, timeoutMs, signal) =>
      new Promise<void>((res) => {
        if (signal?.aborted) return res()
        if (unseen.delete(name)) return res()
        let set = waiting.get(name)
        if (set === undefined) waiting.set(name, (set = new Set()))
        const wake = () => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', wake)
          waiting.get(name)?.delete(wake)
          res()
        }
        const timer = setTimeout(wake, timeoutMs)
        set.add(wake)
        signal?.addEventListener('abort', wake, { once: true })
      }),
  }
}

// -------------------------------------------------------------------------------------
// S3
// -------------------------------------------------------------------------------------

/**
 * The SDK's default chain for credentials and region; `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`)
 * points it at any S3-compatible service, addressed path-style, as such services expect.
 */
export const s3Client = (region: string, env: NodeJS.ProcessEnv = process.env): (() => Promise<S3Client>) => {
  let client: Promise<S3Client> | undefined
  return () => {
    client ??= import('@aws-sdk/client-s3').then(({ S3Client }) => {
      const endpoint = env['AWS_ENDPOINT_URL_S3'] ?? env['AWS_ENDPOINT_URL']
      return new S3Client({ region, ...(endpoint === undefined || endpoint === '' ? {} : { endpoint, forcePathStyle: true }) })
    })
    return client
  }
}

// -------------------------------------------------------------------------------------
// constructors
// -------------------------------------------------------------------------------------

export interface ContextOptions {
  readonly stateDir: string
  readonly baseDir: string
  readonly runtime: Runtime
  readonly runtimeFor?: (kind: Runtime['kind']) => Promise<Runtime | string>
  readonly region?: string
  readonly say?: (line: string) => void
  readonly now?: () => Date
  readonly stopGraceMs?: number
  readonly env?: NodeJS.ProcessEnv
}

/** The region: the caller's, else the environment's, else us-east-1 (only ARNs and `AWS_REGION` show it). */
export const localRegion = (given: string | undefined, env: NodeJS.ProcessEnv = process.env): string =>
  given ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1'

export const createContext = (o: ContextOptions): LocalContext & { readonly close: () => Promise<void> } => {
  const dir = join(o.stateDir, 'local')
  mkdirSync(dir, { recursive: true })
  const region = localRegion(o.region, o.env)
  const closers: Array<() => Promise<void>> = []
  return {
    dir,
    baseDir: o.baseDir,
    runtime: o.runtime,
    ...(o.runtimeFor === undefined ? {} : { runtimeFor: o.runtimeFor }),
    region,
    owner: { pid: process.pid, token: randomBytes(8).toString('hex') },
    records: <A>(family: string) => fileRecords<A>(dir, family),
    logs: logBuffers(),
    notifier: notifier(),
    s3: s3Client(region, o.env),
    now: o.now ?? (() => new Date()),
    say: o.say ?? (() => undefined),
    stopGraceMs: o.stopGraceMs ?? 20_000,
    onClose: (f) => {
      closers.push(f)
    },
    close: async () => {
      for (const f of closers.reverse()) await f()
      await o.runtime.close()
    },
  }
}

/** A local ARN: the cloud's shape, account 000000000000. */
export const localArn = (ctx: LocalContext, resource: string, name: string): string => `arn:aws:sagemaker:${ctx.region}:000000000000:${resource}/${name.toLowerCase()}`

/**
 * The jobs of one kind this command runs, per backend: when the backend closes, each is stopped and
 * awaited — local jobs cannot outlive the command that runs them, and are recorded so.
 */
export const ownedJobs = <J extends { readonly done: Promise<unknown> }>(kind: string, stop: (job: J) => void): ((ctx: LocalContext) => Map<string, J>) => {
  const byContext = new WeakMap<LocalContext, Map<string, J>>()
  return (ctx) => {
    let jobs = byContext.get(ctx)
    if (jobs === undefined) {
      const made = new Map<string, J>()
      byContext.set(ctx, (jobs = made))
      ctx.onClose(async () => {
        for (const [name, job] of made) {
          ctx.say(`Stopping local ${kind} job ${name}: local jobs end with the command that runs them`)
          stop(job)
        }
        await Promise.all([...made.values()].map((j) => j.done))
      })
    }
    return jobs
  }
}

/** Is a process of this pid running (one of another user's counts: it exists)? */
export const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
