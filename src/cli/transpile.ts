/**
 * A TypeScript program and its local imports compiled in this process by esbuild into one ES module.
 * Imports of the library go to the running CLI's own modules (see `library.ts`), packages stay Node's
 * to load from the very file esbuild finds for them, and everything read is recorded so that the
 * result can be kept (`program-cache.ts`).
 *
 * @since 0.2.0
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, isAbsolute, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Loader, Message, Plugin } from 'esbuild'
import type { Library } from './library.js'
import { configOf, type Input, type Sources } from './program-cache.js'

type Esbuild = typeof import('esbuild')

export type Transpiled =
  | { readonly _tag: 'Transpiled'; readonly code: string; readonly sources: Sources }
  /** The program could not be compiled: esbuild's messages, each with file:line:column. */
  | { readonly _tag: 'NotCompiled'; readonly message: string }
  /** Code that asks where it is (import.meta, __dirname…) would see the compiled file's place, not its own. */
  | { readonly _tag: 'PlaceBound' }

const PLACE_BOUND = /\bimport\.meta\b|\b__dirname\b|\b__filename\b|\brequire\s*\(/

const LOADERS: { readonly [ext: string]: Loader } = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.json': 'json',
}

/** esbuild, through require: importing its CommonJS entry from ES modules makes Node scan it for exports first. */
export const loadEsbuild = (): Esbuild | undefined => {
  try {
    return createRequire(import.meta.url)('esbuild') as Esbuild
  } catch {
    return undefined
  }
}

/** `file:line:column: text`, the file as the user would name it (relative to the working directory when below it). */
const describe = (cwd: string, messages: ReadonlyArray<Message>, shown: ReadonlyMap<string, string>): string =>
  messages
    .map((m) => {
      // A library module by the name the program imported it by, not the URL it stands for.
      const text = m.text.replace(/"sagespec-library:([^"]*)"/g, (_, url: string) => JSON.stringify(shown.get(url) ?? url))
      if (m.location === null) return text
      const abs = resolve(cwd, m.location.file)
      const rel = relative(cwd, abs)
      const file = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel
      return `${file}:${m.location.line}:${m.location.column + 1}: ${text}`
    })
    .join('\n  ')

const INNER = 'sagespec-inner'
const LIBRARY = 'sagespec-library'

export const transpile = async (esbuild: Esbuild, file: string, library: Library): Promise<Transpiled> => {
  const cwd = process.cwd()
  const inputs = new Map<string, Input>()
  const externals = new Set<string>()
  const shown = new Map<string, string>()
  let placeBound = false
  const plugin: Plugin = {
    name: 'sagespec-program',
    setup: (b) => {
      b.onResolve({ filter: /.*/ }, async (a) => {
        if (a.pluginData === INNER || a.kind === 'entry-point' || a.path.startsWith('node:')) return undefined
        if (a.namespace === LIBRARY) return { path: a.path, external: true }
        const found = await b.resolve(a.path, { kind: a.kind, resolveDir: a.resolveDir, importer: a.importer, pluginData: INNER })
        if (found.errors.length > 0) return { errors: found.errors }
        // Node's own modules, named without `node:`.
        if (found.external) return { path: a.path, external: true }
        const lib = library.urlOf(found.path)
        if (lib !== undefined) {
          if (!shown.has(lib)) shown.set(lib, a.path)
          return { path: lib, namespace: LIBRARY }
        }
        // A local file: compiled into the program.
        if (a.path.startsWith('.') || isAbsolute(a.path)) return undefined
        // A package: left to Node, at the file esbuild found for it.
        externals.add(found.path)
        return { path: pathToFileURL(found.path).href, external: true }
      })
      // A library module stands for the running one, by its export names: a name it lacks is a compile
      // error at the import (file:line), as when the library was compiled in, not a link error later.
      b.onLoad({ filter: /.*/, namespace: LIBRARY }, async (a) => {
        const names = Object.keys((await import(a.path)) as object).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n))
        // Each name read off the namespace, so the compiled program imports only what it uses.
        const reads = names.map((n) => `export const ${n} = library.${n}`).join('\n')
        return { contents: `import * as library from ${JSON.stringify(a.path)}\n${reads}\n`, loader: 'js' }
      })
      b.onLoad({ filter: /\.(?:c|m)?[jt]sx?$|\.json$/ }, (a) => {
        const contents = readFileSync(a.path, 'utf8')
        inputs.set(a.path, { file: a.path, text: contents })
        const loader = LOADERS[extname(a.path)] ?? 'js'
        if (loader !== 'json' && PLACE_BOUND.test(contents)) placeBound = true
        return { contents, loader }
      })
    },
  }
  let built
  try {
    built = await esbuild.build({
      entryPoints: [file],
      absWorkingDir: cwd,
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      plugins: [plugin],
    })
  } catch (e) {
    const errors = (e as { errors?: ReadonlyArray<Message> }).errors
    if (Array.isArray(errors) && errors.length > 0) return { _tag: 'NotCompiled', message: describe(cwd, errors, shown) }
    return { _tag: 'NotCompiled', message: e instanceof Error ? e.message : String(e) }
  }
  if (placeBound) return { _tag: 'PlaceBound' }
  const code = built.outputFiles?.[0]?.text
  if (code === undefined) return { _tag: 'NotCompiled', message: 'esbuild produced no output' }
  // Anything else esbuild read (a text file through its loader) counts as an input too.
  for (const f of Object.keys(built.metafile?.inputs ?? {})) {
    if (f.startsWith(`${LIBRARY}:`)) continue
    const abs = resolve(cwd, f)
    if (!inputs.has(abs)) inputs.set(abs, { file: abs, text: readFileSync(abs, 'utf8') })
  }
  const dirs = [...new Set([...inputs.keys()].map((f) => dirname(f)))].sort()
  return {
    _tag: 'Transpiled',
    code,
    sources: { inputs: [...inputs.values()].sort((x, y) => (x.file < y.file ? -1 : 1)), configs: dirs.map(configOf), externals: [...externals].sort() },
  }
}
