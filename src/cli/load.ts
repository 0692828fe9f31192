/**
 * Loading a program file: JSON through the program codec, or a TypeScript/JavaScript module whose
 * default export is a program or a function of params returning one.
 *
 * @since 0.1.0
 */
import { readFile } from 'node:fs/promises'
import { extname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

export type LoadError = { readonly _tag: 'LoadError'; readonly file: string; readonly message: string }

const loadError = (file: string, message: string): LoadError => ({ _tag: 'LoadError', file, message })

const importModule = async (file: string): Promise<unknown> => {
  const url = pathToFileURL(file).href
  if (/\.(c|m)?tsx?$/.test(file)) {
    // Only TypeScript needs a transpiler; load it lazily so JSON and JS programs start faster.
    const { tsImport } = await import('tsx/esm/api')
    return tsImport(url, import.meta.url)
  }
  return import(url)
}

/** Returns the program value (not yet validated), or why it could not be loaded. */
export const loadProgram = async (path: string, params: Readonly<Record<string, string>>): Promise<{ ok: true; value: unknown } | { ok: false; error: LoadError }> => {
  const file = resolve(path)
  try {
    if (extname(file) === '.json') {
      const text = await readFile(file, 'utf8')
      try {
        return { ok: true, value: JSON.parse(text) }
      } catch (e) {
        return { ok: false, error: loadError(path, `not valid JSON: ${(e as Error).message}`) }
      }
    }
    const mod = (await importModule(file)) as { default?: unknown }
    // tsx may wrap CommonJS-shaped modules once more.
    let exported = mod.default
    if (typeof exported === 'object' && exported !== null && 'default' in exported && !('steps' in exported)) exported = (exported as { default: unknown }).default
    if (exported === undefined) return { ok: false, error: loadError(path, 'the module has no default export (export default a program, or a function of params)') }
    const value = typeof exported === 'function' ? await (exported as (p: Readonly<Record<string, string>>) => unknown)(params) : exported
    return { ok: true, value }
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    return { ok: false, error: loadError(path, err.code === 'ENOENT' || err.code === 'ERR_MODULE_NOT_FOUND' ? `cannot read: ${err.message}` : `failed to load: ${err.message}`) }
  }
}
