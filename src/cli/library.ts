/**
 * Where the running CLI's own library is. A program's imports of the library (`sagespec`,
 * `sagespec/frameworks`…, or `../src/index.js` inside this repository) are pointed at the modules the
 * CLI has already loaded, instead of compiling and loading a second copy of the library from its
 * sources: most of the time a TypeScript program took to load was that copy.
 *
 * @since 0.2.0
 */
import { existsSync, realpathSync } from 'node:fs'
import { basename, dirname, extname, join, relative, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * Set by `scripts/bundle-cli.mjs` (esbuild's `define`) in the bundled CLI; absent when the CLI runs
 * from its sources (tests, tsx) or from tsc's output. Paths are relative to the bundle chunk holding
 * this module (the build checks where that chunk lands).
 */
declare const SAGESPEC_BUNDLE:
  | {
      readonly version: string
      /** The package root. */
      readonly root: string
      /** Library module, package-relative under src/ without extension (`frameworks/index`) → its bundled entry. */
      readonly library: Readonly<Record<string, string>>
    }
  | undefined

export interface Library {
  /** The package root, a real path. */
  readonly root: string
  /** The URL a program imports instead of `file` (a resolved real path), when `file` is a library module. */
  readonly urlOf: (file: string) => string | undefined
  /** Tells apart programs compiled by different builds or installs of the CLI (their URLs differ). */
  readonly id: string
  /** Where compiled programs are kept by default; `undefined`: not kept unless asked (SAGESPEC_CACHE_DIR). */
  readonly cacheDir: string | undefined
}

/** `src/X.ts` or `dist/src/X.js` of the package → `X`; anything else → undefined. */
const moduleName = (root: string, file: string): string | undefined => {
  const rel = relative(root, file).split(sep).join('/')
  const m = /^(?:dist\/)?src\/(.+)\.(?:ts|js)$/.exec(rel)
  return m === null || m[1]!.endsWith('.d') ? undefined : m[1]
}

const real = (path: string): string => {
  try {
    return realpathSync(path)
  } catch {
    return path
  }
}

/** `<project>/node_modules/.cache/sagespec` when installed as a dependency, else the package's own node_modules. */
const defaultCacheDir = (root: string): string =>
  basename(dirname(root)) === 'node_modules' ? join(dirname(root), '.cache', 'sagespec') : join(root, 'node_modules', '.cache', 'sagespec')

const bundled = (b: NonNullable<typeof SAGESPEC_BUNDLE>): Library => {
  const root = real(fileURLToPath(new URL(b.root, import.meta.url)))
  return {
    root,
    urlOf: (file) => {
      const name = moduleName(root, file)
      const entry = name === undefined || !Object.prototype.hasOwnProperty.call(b.library, name) ? undefined : b.library[name]
      return entry === undefined ? undefined : new URL(entry, import.meta.url).href
    },
    id: `sagespec ${b.version} ${import.meta.url}`,
    cacheDir: defaultCacheDir(root),
  }
}

/** From sources (or tsc's output): every library module maps to the same module of the tree that is running. */
const fromSources = (): Library => {
  const self = fileURLToPath(import.meta.url)
  const tree = dirname(dirname(self)) // src/ or dist/src/
  const root = real(basename(dirname(tree)) === 'dist' ? dirname(dirname(tree)) : dirname(tree))
  const ext = extname(self)
  return {
    root,
    urlOf: (file) => {
      const name = moduleName(root, file)
      if (name === undefined) return undefined
      const running = join(tree, name + ext)
      return existsSync(running) ? pathToFileURL(running).href : undefined
    },
    id: `sagespec sources ${import.meta.url}`,
    cacheDir: undefined,
  }
}

let found: Library | undefined

export const runningLibrary = (): Library => (found ??= typeof SAGESPEC_BUNDLE === 'undefined' ? fromSources() : bundled(SAGESPEC_BUNDLE))

/** `SAGESPEC_NO_CACHE=1` turns the cache off; `SAGESPEC_CACHE_DIR` moves it (and turns it on from sources). */
export const cacheDirectory = (library: Library, env: NodeJS.ProcessEnv = process.env): string | undefined => {
  if (env['SAGESPEC_NO_CACHE'] !== undefined && env['SAGESPEC_NO_CACHE'] !== '' && env['SAGESPEC_NO_CACHE'] !== '0') return undefined
  const dir = env['SAGESPEC_CACHE_DIR']
  return dir !== undefined && dir !== '' ? dir : library.cacheDir
}
