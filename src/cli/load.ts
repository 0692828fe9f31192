/**
 * Loading a program file: JSON through the program codec, or a TypeScript/JavaScript module whose
 * default export is a program or a function of params returning one.
 *
 * @since 0.1.0
 */
import { readFileSync, statSync } from 'node:fs'
import { extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Imported } from './load-typescript.js'

export type LoadError = { readonly _tag: 'LoadError'; readonly file: string; readonly message: string }

const loadError = (file: string, message: string): LoadError => ({ _tag: 'LoadError', file, message })

// TypeScript's loading (esbuild, the compiled-program cache) is evaluated only when a program needs it.
const importModule = async (file: string): Promise<Imported> =>
  /\.(c|m)?tsx?$/.test(file) ? (await import('./load-typescript.js')).importTypeScript(file) : { ok: true, mod: await import(pathToFileURL(file).href) }

/** Returns the program value (not yet validated), or why it could not be loaded. */
/** A data object a program module exports beside its program (`export const uploads = records.uploads`). */
export interface DataObject {
  readonly bucket: string
  readonly key: string
  readonly uri: string
  readonly bytes: Uint8Array
}

export interface Loaded {
  readonly ok: true
  readonly value: unknown
  /** The module exported a function of params: the `--param` values were its arguments. */
  readonly calledWithParams: boolean
  /** The module's `uploads` export: objects to put in S3 before the steps that read them (RecordSets). */
  readonly uploads?: ReadonlyArray<DataObject>
}

const isDataObject = (u: unknown): u is DataObject =>
  typeof u === 'object' &&
  u !== null &&
  typeof (u as DataObject).bucket === 'string' &&
  typeof (u as DataObject).key === 'string' &&
  typeof (u as DataObject).uri === 'string' &&
  (u as DataObject).bytes instanceof Uint8Array

/** The named `uploads` export, when it is a list of data objects (a RecordSet's `uploads`). */
const uploadsOf = (mod: Record<string, unknown>): ReadonlyArray<DataObject> | undefined => {
  const u = mod['uploads'] ?? (typeof mod['default'] === 'object' && mod['default'] !== null ? (mod['default'] as Record<string, unknown>)['uploads'] : undefined)
  return Array.isArray(u) && u.length > 0 && u.every(isDataObject) ? u : undefined
}

export const loadProgram = async (path: string, params: Readonly<Record<string, string>>): Promise<Loaded | { ok: false; error: LoadError }> => {
  const file = resolve(path)
  try {
    statSync(file)
  } catch (e) {
    return { ok: false, error: loadError(path, `cannot read: ${(e as Error).message}`) }
  }
  try {
    if (extname(file) === '.json') {
      const text = readFileSync(file, 'utf8')
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
    const uploads = uploadsOf(mod as Record<string, unknown>)
    return { ok: true, value, calledWithParams: typeof exported === 'function', ...(uploads === undefined ? {} : { uploads }) }
  } catch (e) {
    // Anything may be thrown, not only Errors.
    return { ok: false, error: loadError(path, `failed to load: ${e instanceof Error ? e.message : String(e)}`) }
  }
}
