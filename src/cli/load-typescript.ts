/**
 * Loading a TypeScript program: the compiled form kept from an earlier run when its sources are
 * unchanged, else compiled in this process by esbuild (and kept); tsx's loader for what esbuild alone
 * cannot load. A module of its own so that JSON programs load none of it.
 *
 * @since 0.2.0
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { cacheDirectories, runningLibrary } from './library.js'
import { lookup, store } from './program-cache.js'
import { loadEsbuild, transpile } from './transpile.js'

export type Imported = { readonly ok: true; readonly mod: unknown } | { readonly ok: false; readonly message: string }

const imported = async (url: string): Promise<Imported> => ({ ok: true, mod: await import(url) })

/** Compiled code that could not be kept: from a temporary file (tsx and vitest load its imports of .ts files; a data: URL they would not see). */
const importOnce = async (code: string): Promise<Imported> => {
  const dir = mkdtempSync(join(tmpdir(), 'sagespec-program-'))
  try {
    const file = join(dir, 'program.mjs')
    writeFileSync(file, code)
    return await imported(pathToFileURL(file).href)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** tsx's loader (a loader thread, slower to start). */
const importWithTsx = async (file: string): Promise<Imported> => {
  const { tsImport } = await import('tsx/esm/api')
  return { ok: true, mod: await tsImport(pathToFileURL(file).href, import.meta.url) }
}

/** `.ts` and `.mts` through esbuild (tsx when the code asks where it is, or without esbuild); `.tsx` and `.cts` through tsx. */
export const importTypeScript = async (file: string): Promise<Imported> => {
  if (!/\.m?ts$/.test(file)) return importWithTsx(file)
  const library = runningLibrary()
  const dirs = cacheDirectories(library)
  for (const dir of dirs) {
    const kept = lookup(dir, library.id, file)
    if (kept !== undefined) return imported(kept)
  }
  const esbuild = loadEsbuild()
  if (esbuild === undefined) return importWithTsx(file)
  const t = await transpile(esbuild, file, library)
  switch (t._tag) {
    case 'PlaceBound':
      return importWithTsx(file)
    case 'NotCompiled':
      return { ok: false, message: t.message }
    case 'Transpiled': {
      // The first folder that takes it (the project's, else the user's).
      let url: string | undefined
      for (const dir of dirs) {
        url = store(dir, library.id, file, t.sources, t.code)
        if (url !== undefined) break
      }
      return url === undefined ? importOnce(t.code) : imported(url)
    }
  }
}
