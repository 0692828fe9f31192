/**
 * Compiled programs kept between runs. Compiling a TypeScript program starts esbuild's service (a
 * separate process), most of a cold start; a program that has not changed since its last run is read
 * back instead. An entry is one ES module file: its first line records what it was compiled from (each
 * input's content hash, the tsconfig.json that applied, the packages it imports), and it is used only
 * when all of that still holds. Anything missing, stale, unreadable or corrupt is a miss, never an
 * error: the cache is never needed for a correct result.
 *
 * @since 0.2.0
 */
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** A file the program was compiled from, by content. */
export interface Input {
  readonly file: string
  readonly sha256: string
}

/** The tsconfig.json esbuild found for a directory of the program (`null`: none). */
export interface Config {
  readonly dir: string
  readonly file: string | null
  readonly sha256: string | null
}

export interface Sources {
  readonly inputs: ReadonlyArray<Input>
  readonly configs: ReadonlyArray<Config>
  /** Files of packages the compiled module imports by URL: gone (reinstalled elsewhere) means recompile. */
  readonly externals: ReadonlyArray<string>
}

const FORMAT = 'sagespec-program v1'

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')

const readOrUndefined = (file: string): Buffer | undefined => {
  try {
    return readFileSync(file)
  } catch {
    return undefined
  }
}

/** The nearest tsconfig.json at or above `dir`, as esbuild picks it (its `extends` chain is not followed). */
export const configOf = (dir: string): Config => {
  for (let d = dir; ; ) {
    const file = join(d, 'tsconfig.json')
    const text = readOrUndefined(file)
    if (text !== undefined) return { dir, file, sha256: sha256(text) }
    const up = dirname(d)
    if (up === d) return { dir, file: null, sha256: null }
    d = up
  }
}

export const inputOf = (file: string, content: string | Uint8Array): Input => ({ file, sha256: sha256(content) })

/** One entry per program file and CLI build: recompiling a changed program replaces its entry. */
const entryFile = (dir: string, id: string, program: string): string => join(dir, `${sha256(`${id}\0${program}`).slice(0, 32)}.mjs`)

const stillHolds = (s: Sources): boolean =>
  s.inputs.every((i) => {
    const now = readOrUndefined(i.file)
    return now !== undefined && sha256(now) === i.sha256
  }) &&
  s.configs.every((c) => {
    const now = configOf(c.dir)
    return now.file === c.file && now.sha256 === c.sha256
  }) &&
  s.externals.every((f) => {
    try {
      return statSync(f).isFile()
    } catch {
      return false
    }
  })

const isSources = (u: unknown): u is Sources & { readonly body: string } => {
  const o = u as Partial<Sources & { body: string }> | null
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.body === 'string' &&
    Array.isArray(o.inputs) &&
    o.inputs.every((i) => typeof i?.file === 'string' && typeof i.sha256 === 'string') &&
    Array.isArray(o.configs) &&
    o.configs.every((c) => typeof c?.dir === 'string' && (c.file === null || typeof c.file === 'string') && (c.sha256 === null || typeof c.sha256 === 'string')) &&
    Array.isArray(o.externals) &&
    o.externals.every((f) => typeof f === 'string')
  )
}

/** The URL of the compiled program, if the cache holds a current one. */
export const lookup = (dir: string, id: string, program: string): string | undefined => {
  const file = entryFile(dir, id, program)
  const text = readOrUndefined(file)?.toString('utf8')
  if (text === undefined) return undefined
  const eol = text.indexOf('\n')
  const head = `// ${FORMAT} `
  if (eol < 0 || !text.startsWith(head)) return undefined
  let sources: unknown
  try {
    sources = JSON.parse(text.slice(head.length, eol))
  } catch {
    return undefined
  }
  if (!isSources(sources)) return undefined
  const body = sha256(text.slice(eol + 1))
  if (body !== sources.body || !stillHolds(sources)) return undefined
  // The query keeps two contents of one entry apart in one process (Node caches modules by URL).
  return `${pathToFileURL(file).href}?v=${body.slice(0, 16)}`
}

/** Keeps the compiled program; returns its URL, or `undefined` when the cache cannot be written. */
export const store = (dir: string, id: string, program: string, sources: Sources, code: string): string | undefined => {
  const file = entryFile(dir, id, program)
  const body = sha256(code)
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  try {
    mkdirSync(dir, { recursive: true })
    writeFileSync(tmp, `// ${FORMAT} ${JSON.stringify({ ...sources, body })}\n${code}`)
    // A reader sees the old entry or the new one, never half of one.
    renameSync(tmp, file)
  } catch {
    try {
      rmSync(tmp, { force: true })
    } catch {
      // an unwritable folder: there is nothing to remove either
    }
    return undefined
  }
  return `${pathToFileURL(file).href}?v=${body.slice(0, 16)}`
}
