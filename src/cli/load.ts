/**
 * Loading a program file: JSON through the program codec, or a TypeScript/JavaScript module whose
 * default export is a program or a function of params returning one.
 *
 * @since 0.1.0
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { extname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { cacheDirectory, runningLibrary } from './library.js'
import { lookup, store } from './program-cache.js'
import { loadEsbuild, transpile } from './transpile.js'

export type LoadError = { readonly _tag: 'LoadError'; readonly file: string; readonly message: string }

const loadError = (file: string, message: string): LoadError => ({ _tag: 'LoadError', file, message })

type Imported = { readonly ok: true; readonly mod: unknown } | { readonly ok: false; readonly message: string }

const imported = async (url: string): Promise<Imported> => ({ ok: true, mod: await import(url) })

/** Compiled code that could not be kept: from a temporary file (tsx and vitest load its imports of .ts files; a data: URL they would not see). */
const importOnce = async (code: string): Promise<Imported> => {
  const dir = await mkdtemp(join(tmpdir(), 'sagespec-program-'))
  try {
    const file = join(dir, 'program.mjs')
    await writeFile(file, code)
    return await imported(pathToFileURL(file).href)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** tsx's loader (a loader thread, slower to start) for what esbuild alone cannot load. */
const importWithTsx = async (file: string): Promise<Imported> => {
  const { tsImport } = await import('tsx/esm/api')
  return { ok: true, mod: await tsImport(pathToFileURL(file).href, import.meta.url) }
}

/**
 * A TypeScript module: the compiled program kept from an earlier run when its sources are unchanged,
 * else compiled in this process by esbuild (and kept). tsx loads what esbuild cannot: code bound to its
 * own location, or no esbuild at all.
 */
const importTypeScript = async (file: string): Promise<Imported> => {
  const library = runningLibrary()
  const cacheDir = cacheDirectory(library)
  const kept = cacheDir === undefined ? undefined : lookup(cacheDir, library.id, file)
  if (kept !== undefined) return imported(kept)
  const esbuild = loadEsbuild()
  if (esbuild === undefined) return importWithTsx(file)
  const t = await transpile(esbuild, file, library)
  switch (t._tag) {
    case 'PlaceBound':
      return importWithTsx(file)
    case 'NotCompiled':
      return { ok: false, message: t.message }
    case 'Transpiled': {
      const url = cacheDir === undefined ? undefined : store(cacheDir, library.id, file, t.sources, t.code)
      return url === undefined ? importOnce(t.code) : imported(url)
    }
  }
}

const importModule = (file: string): Promise<Imported> =>
  /\.m?ts$/.test(file) ? importTypeScript(file) : /\.(c|m)?tsx?$/.test(file) ? importWithTsx(file) : imported(pathToFileURL(file).href)

/** Returns the program value (not yet validated), or why it could not be loaded. */
export interface Loaded {
  readonly ok: true
  readonly value: unknown
  /** The module exported a function of params: the `--param` values were its arguments. */
  readonly calledWithParams: boolean
}

export const loadProgram = async (path: string, params: Readonly<Record<string, string>>): Promise<Loaded | { ok: false; error: LoadError }> => {
  const file = resolve(path)
  try {
    await stat(file)
  } catch (e) {
    return { ok: false, error: loadError(path, `cannot read: ${(e as Error).message}`) }
  }
  try {
    if (extname(file) === '.json') {
      const text = await readFile(file, 'utf8')
      try {
        return { ok: true, value: JSON.parse(text), calledWithParams: false }
      } catch (e) {
        return { ok: false, error: loadError(path, `not valid JSON: ${(e as Error).message}`) }
      }
    }
    const loaded = await importModule(file)
    if (!loaded.ok) return { ok: false, error: loadError(path, `failed to load: ${loaded.message}`) }
    const mod = loaded.mod as { default?: unknown }
    // tsx may hand back the module's named exports as `default` (CommonJS interop), or wrap the real
    // default once more: unwrap the latter, and treat the former as what it is, no default export.
    let exported = mod.default
    const named = Object.keys(mod).filter((k) => k !== 'default')
    if (typeof exported === 'object' && exported !== null && !Array.isArray(exported) && !('steps' in exported)) {
      const o = exported as Record<string, unknown>
      if (Object.prototype.hasOwnProperty.call(o, 'default')) exported = o.default
      else if (Object.keys(o).every((k) => named.includes(k) && o[k] === (mod as Record<string, unknown>)[k])) exported = undefined
    }
    if (exported === undefined) return { ok: false, error: loadError(path, 'the module has no default export (export default a program, or a function of params)') }
    const value = typeof exported === 'function' ? await (exported as (p: Readonly<Record<string, string>>) => unknown)(params) : exported
    return { ok: true, value, calledWithParams: typeof exported === 'function' }
  } catch (e) {
    // Anything may be thrown, not only Errors.
    return { ok: false, error: loadError(path, `failed to load: ${e instanceof Error ? e.message : String(e)}`) }
  }
}
