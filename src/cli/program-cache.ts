/**
 * Compiled programs kept between runs. Compiling a TypeScript program starts esbuild's service (a
 * separate process), most of a cold start; a program that has not changed since its last run is read
 * back instead. An entry is one ES module file whose first line records what it was compiled from:
 * the text of every input, the tsconfig.json that applied, the package files it imports. It is used
 * only when all of that still holds, compared byte for byte (no hash: loading node:crypto would cost
 * a cold start more than the comparison). Anything missing, stale, unreadable or corrupt is a miss,
 * never an error: the cache is never needed for a correct result.
 *
 * @since 0.2.0
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** A file the program was compiled from, with the text it had. */
export interface Input {
  readonly file: string
  readonly text: string
}

/** The tsconfig.json esbuild found for a directory of the program (`null`: none), with its text. */
export interface Config {
  readonly dir: string
  readonly file: string | null
  readonly text: string | null
}

export interface Sources {
  readonly inputs: ReadonlyArray<Input>
  readonly configs: ReadonlyArray<Config>
  /** Files of packages the compiled module imports by URL: gone (reinstalled elsewhere) means recompile. */
  readonly externals: ReadonlyArray<string>
}

interface Header extends Sources {
  readonly id: string
  readonly program: string
  /** The compiled code's length: a cut-short file is a miss. */
  readonly length: number
}

const FORMAT = 'sagespec-program v2'

const readOrUndefined = (file: string): Buffer | undefined => {
  try {
    return readFileSync(file)
  } catch {
    return undefined
  }
}

/** Byte for byte: a file that is not valid UTF-8 never matches, so it is simply never kept. */
const holds = (file: string | null, text: string | null): boolean => {
  if (file === null || text === null) return file === text
  const now = readOrUndefined(file)
  return now !== undefined && now.equals(Buffer.from(text, 'utf8'))
}

/** The nearest tsconfig.json at or above `dir`, as esbuild picks it (its `extends` chain is not followed). */
export const configOf = (dir: string): Config => {
  for (let d = dir; ; ) {
    const file = join(d, 'tsconfig.json')
    const text = readOrUndefined(file)
    if (text !== undefined) return { dir, file, text: text.toString('utf8') }
    const up = dirname(d)
    if (up === d) return { dir, file: null, text: null }
    d = up
  }
}

/**
 * FNV-1a, 64 bits as two 32-bit halves. It only names things: an entry (one per program file and CLI
 * build, so a recompiled program replaces its entry; the header says whose entry it is, so a collision
 * is a miss) and a version of its code.
 */
const fnv = (s: string): string => {
  let a = 0x811c9dc5
  let b = 0x050c5d1f
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x01000193) ^ (a >>> 15)
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0')
}

const entryFile = (dir: string, id: string, program: string): string => join(dir, `${fnv(`${id}\0${program}`)}.mjs`)

const stillHolds = (s: Sources): boolean =>
  s.inputs.every((i) => holds(i.file, i.text)) &&
  s.configs.every((c) => {
    const now = configOf(c.dir)
    return now.file === c.file && now.text === c.text
  }) &&
  s.externals.every((f) => {
    try {
      return statSync(f).isFile()
    } catch {
      return false
    }
  })

const isHeader = (u: unknown): u is Header => {
  const o = u as Partial<Header> | null
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.id === 'string' &&
    typeof o.program === 'string' &&
    typeof o.length === 'number' &&
    Array.isArray(o.inputs) &&
    o.inputs.every((i) => typeof i?.file === 'string' && typeof i.text === 'string') &&
    Array.isArray(o.configs) &&
    o.configs.every((c) => typeof c?.dir === 'string' && (c.file === null || typeof c.file === 'string') && (c.text === null || typeof c.text === 'string')) &&
    Array.isArray(o.externals) &&
    o.externals.every((f) => typeof f === 'string')
  )
}

// The query keeps two contents of one entry apart in one process (Node caches modules by URL).
const urlOf = (file: string, code: string): string => `${pathToFileURL(file).href}?v=${fnv(code)}`

/** The URL of the compiled program, if the cache holds a current one. */
export const lookup = (dir: string, id: string, program: string): string | undefined => {
  const file = entryFile(dir, id, program)
  const bytes = readOrUndefined(file)
  if (bytes === undefined) return undefined
  const text = bytes.toString('utf8')
  const eol = text.indexOf('\n')
  const head = `// ${FORMAT} `
  if (eol < 0 || !text.startsWith(head)) return undefined
  let header: unknown
  try {
    header = JSON.parse(text.slice(head.length, eol))
  } catch {
    return undefined
  }
  if (!isHeader(header) || header.id !== id || header.program !== program || header.length !== text.length - eol - 1 || !stillHolds(header)) return undefined
  return urlOf(file, text.slice(eol + 1))
}

/** Keeps the compiled program; returns its URL, or `undefined` when the cache cannot be written. */
export const store = (dir: string, id: string, program: string, sources: Sources, code: string): string | undefined => {
  const file = entryFile(dir, id, program)
  const header: Header = { id, program, length: code.length, ...sources }
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  try {
    mkdirSync(dir, { recursive: true })
    writeFileSync(tmp, `// ${FORMAT} ${JSON.stringify(header)}\n${code}`)
    // A reader sees the old entry or the new one, never half of one.
    renameSync(tmp, file)
    return urlOf(file, code)
  } catch {
    try {
      rmSync(tmp, { force: true })
    } catch {
      // an unwritable folder: there is nothing to remove either
    }
    return undefined
  }
}
