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

export type LoadError = { readonly _tag: 'LoadError'; readonly file: string; readonly message: string }

const loadError = (file: string, message: string): LoadError => ({ _tag: 'LoadError', file, message })

// Code that asks where it is (import.meta, __dirname…) would see the bundle's place, not its own.
const PLACE_BOUND = /\bimport\.meta\b|\b__dirname\b|\b__filename\b|\brequire\s*\(/

/**
 * A TypeScript program and its local imports transformed in this process by esbuild (which tsx
 * brings) into one module, packages left to Node: this avoids tsx's loader thread, most of a cold
 * start. `undefined` when that is not possible (no esbuild, a build error, code bound to its own
 * location), and tsx loads the program as before, so its messages stay what they were.
 */
const importBundled = async (file: string): Promise<{ readonly mod: unknown } | undefined> => {
  type Esbuild = typeof import('esbuild')
  const esbuild = await (import('esbuild') as Promise<Esbuild>).catch(() => undefined)
  if (esbuild === undefined) return undefined
  let placeBound = false
  const built = await esbuild
    .build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      plugins: [
        {
          name: 'sagespec-program',
          setup: (b) => {
            // Packages stay Node's to load, at the very file esbuild finds for them.
            b.onResolve({ filter: /^[^./]/ }, async (a) => {
              if (a.pluginData === 'sagespec-inner' || a.path.startsWith('node:')) return undefined
              const found = await b.resolve(a.path, { kind: a.kind, resolveDir: a.resolveDir, importer: a.importer, pluginData: 'sagespec-inner' })
              return found.errors.length > 0 ? { errors: found.errors } : found.external ? { path: a.path, external: true } : { path: pathToFileURL(found.path).href, external: true }
            })
            b.onLoad({ filter: /\.(c|m)?[jt]sx?$/ }, async (a) => {
              if (PLACE_BOUND.test(await readFile(a.path, 'utf8'))) placeBound = true
              return undefined
            })
          },
        },
      ],
    })
    .catch(() => undefined)
  const code = built?.outputFiles?.[0]?.text
  if (code === undefined || placeBound) return undefined
  const dir = await mkdtemp(join(tmpdir(), 'sagespec-program-'))
  try {
    const bundle = join(dir, 'program.mjs')
    await writeFile(bundle, code)
    return { mod: await import(pathToFileURL(bundle).href) }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

const importModule = async (file: string): Promise<unknown> => {
  const url = pathToFileURL(file).href
  if (/\.(c|m)?tsx?$/.test(file)) {
    const bundled = /\.m?ts$/.test(file) ? await importBundled(file) : undefined
    if (bundled !== undefined) return bundled.mod
    // Only TypeScript needs a transpiler; load it lazily so JSON and JS programs start faster.
    const { tsImport } = await import('tsx/esm/api')
    return tsImport(url, import.meta.url)
  }
  return import(url)
}

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
    const mod = (await importModule(file)) as { default?: unknown }
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
