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
 * from its sources (tests, tsx) or from tsc's output. Paths are relative to where the bundle's modules
 * are told they are (`import.meta.url`, given by bin/sagespec.js with the build in its query).
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
  /** Where compiled programs are kept by default, in order of preference; none: not kept unless asked (SAGESPEC_CACHE_DIR). */
  readonly cacheDirs: ReadonlyArray<string>
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

/**
 * `<project>/node_modules/.cache/sagespec` when installed as a dependency, else the package's own
 * node_modules; then the user's cache folder, for an install this user cannot write to (a global one).
 * bin/sagespec.js keeps V8's code cache by the same rule.
 */
const defaultCacheDirs = (root: string, env: NodeJS.ProcessEnv = process.env): ReadonlyArray<string> => {
  const own = basename(dirname(root)) === 'node_modules' ? join(dirname(root), '.cache', 'sagespec') : join(root, 'node_modules', '.cache', 'sagespec')
  const home = env['XDG_CACHE_HOME'] || (env['HOME'] ? join(env['HOME'], '.cache') : env['LOCALAPPDATA'])
  return home ? [own, join(home, 'sagespec')] : [own]
}

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
    cacheDirs: defaultCacheDirs(root),
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
    cacheDirs: [],
  }
}

let found: Library | undefined

export const runningLibrary = (): Library => (found ??= typeof SAGESPEC_BUNDLE === 'undefined' ? fromSources() : bundled(SAGESPEC_BUNDLE))

/** `SAGESPEC_NO_CACHE=1` turns the cache off; `SAGESPEC_CACHE_DIR` moves it (and turns it on from sources). */
export const cacheDirectories = (library: Library, env: NodeJS.ProcessEnv = process.env): ReadonlyArray<string> => {
  if (env['SAGESPEC_NO_CACHE'] !== undefined && env['SAGESPEC_NO_CACHE'] !== '' && env['SAGESPEC_NO_CACHE'] !== '0') return []
  const dir = env['SAGESPEC_CACHE_DIR']
  return dir !== undefined && dir !== '' ? [dir] : library.cacheDirs
}
