/**
 * The local backend: the port's verbs over a merged table of per-family handlers (training, models,
 * and — as they are built — endpoints, transform, tuning). An operation no family handles answers a
 * clear `ValidationException`, as the cloud answers a request it cannot serve.
 *
 * @since 0.2.0
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Backend, LogKind, LogLine } from '../interpret/execute/port.js'
import { serviceError } from '../interpret/plan/operations.js'
import type { Handler, Handlers, LocalContext } from './context.js'
import { repackModel } from '../interpret/code/repack.js'
import { fetchTo, parseLocation } from './storage.js'

/** The key of a job's log buffer: job names are unique per kind, not across kinds. */
export const logKey = (kind: LogKind, name: string): string => `${kind}/${name}`

/**
 * Where each kind of job writes its log (the family's folder), read when this command does not run
 * the job: a resume that attaches to a job of an earlier or another command still shows its lines.
 */
export const LOG_FILES: { readonly [K in LogKind]?: (localDir: string, name: string) => string } = {
  Training: (dir, name) => join(dir, 'training-jobs', name, 'log.txt'),
}

const LINE = /^\[([^\]]*)\] (.*)$/

/** Lines of a log file after `cursor` (a line count). */
export const readLogFile = (file: string, cursor: number): { readonly lines: ReadonlyArray<LogLine>; readonly cursor: number } => {
  if (!existsSync(file)) return { lines: [], cursor }
  const all = readFileSync(file, 'utf8').split('\n')
  all.pop() // the text after the last newline: a line still being written, or nothing
  return {
    lines: all.slice(cursor).map((l) => {
      const m = LINE.exec(l)
      return m === null ? { host: 'algo-1', line: l } : { host: m[1]!, line: m[2]! }
    }),
    cursor: Math.max(cursor, all.length),
  }
}

/** Later tables win over earlier ones for an operation both handle (none should). */
export const mergeHandlers = (tables: ReadonlyArray<Handlers>): Handlers => Object.assign({}, ...tables) as Handlers

/**
 * Code archives are content-addressed: `<local>/code/<sha256>/sourcedir.tar.gz`, written once, and
 * named by a `file://` URI the local jobs read like an `s3://` one.
 */
export const stageCodeLocally = (dir: string, sha256: string, gzip: Uint8Array): string => {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error(`stageCode: "${sha256}" is not a sha256`)
  const folder = join(dir, 'code', sha256)
  const file = join(folder, 'sourcedir.tar.gz')
  if (!existsSync(file)) {
    mkdirSync(folder, { recursive: true })
    const tmp = `${file}.${process.pid}.tmp`
    writeFileSync(tmp, gzip)
    renameSync(tmp, file)
  }
  return pathToFileURL(file).href
}

/**
 * Repacked model archives are content-addressed too: `<local>/repacked/<name>/model.tar.gz`, read
 * from `file://` or `s3://` model data, named by a `file://` URI.
 */
export const repackLocally = (ctx: LocalContext) => (r: Parameters<NonNullable<Backend['repackModel']>>[0]) =>
  repackModel(
    {
      fetch: async (uri, file) => {
        const at = parseLocation(uri, ctx.baseDir)
        if (at === undefined) throw serviceError('ValidationException', `model data "${uri}": expected an s3:// or file:// URI`)
        if (at._tag === 'File' && !existsSync(at.path)) throw serviceError('ValidationException', `model data ${uri}: no such file`)
        await fetchTo(ctx, at, file)
      },
      target: (name) => pathToFileURL(join(ctx.dir, 'repacked', name, 'model.tar.gz')).href,
      exists: async (uri) => existsSync(fileURLToPath(uri)),
      put: async (uri, file) => {
        const dest = fileURLToPath(uri)
        mkdirSync(dirname(dest), { recursive: true })
        const tmp = `${dest}.${process.pid}.tmp`
        writeFileSync(tmp, readFileSync(file))
        renameSync(tmp, dest)
      },
    },
    r,
  )

export const createLocalBackend = (ctx: LocalContext & { readonly close: () => Promise<void> }, tables: ReadonlyArray<Handlers>): Backend => {
  const handlers = mergeHandlers(tables)
  return {
    target: 'local',
    describe: `this machine (${ctx.runtime.kind} runtime)`,
    send: async (op, input) => {
      const h = handlers[op] as Handler<typeof op> | undefined
      if (h === undefined) throw serviceError('ValidationException', `${op} is not supported by the local backend yet`)
      return h(input, ctx)
    },
    stageCode: async (archive, options) => {
      const uri = stageCodeLocally(ctx.dir, archive.sha256, archive.gzip)
      options?.onProgress?.({ uri, loaded: archive.gzip.length, total: archive.gzip.length })
      return uri
    },
    repackModel: repackLocally(ctx),
    logs: async (kind, jobName, cursor) => {
      const from = typeof cursor === 'number' ? cursor : 0
      const key = logKey(kind, jobName)
      const file = LOG_FILES[kind]
      if (!ctx.logs.has(key) && file !== undefined && /^[a-zA-Z0-9-]{1,63}$/.test(jobName)) return readLogFile(file(ctx.dir, jobName), from)
      return ctx.logs.read(key, from)
    },
    changed: (name, timeoutMs, options) => ctx.notifier.changed(name, timeoutMs, options?.signal),
    // Local jobs wake the executor through `changed`; the poll only bounds a missed wake-up.
    poll: { initialMs: 1000, maxMs: 5000 },
    close: () => ctx.close(),
  }
}
