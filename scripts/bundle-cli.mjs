// The CLI as one CommonJS file, dist/bundle/cli/sagespec.cjs, that bin/sagespec.js compiles with V8's
// code cache: a cold start then neither parses nor compiles what an earlier run already did, and skips
// Node's ES module loader for the CLI's own code. Each module inside is evaluated only when first
// imported (the commands, the library), so `--help` runs little of it. Run by `npm run build` and by
// `npm install` (the prepare script). The AWS SDK, dockerode, tar, tsx and esbuild stay outside: they
// are loaded only by the commands that need them, and tsx and esbuild find their own files next to them.
//
// The library's public modules get small ES module entries (dist/bundle/cli/lib/) that hand out the
// bundle's own modules: a TypeScript program's imports of the library are pointed at them
// (src/cli/library.ts), so the program uses the modules the CLI has already loaded, not a second copy.
//
//   node scripts/bundle-cli.mjs [--outdir DIR]     (default dist/bundle/cli)
import { build } from 'esbuild'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dirname, join, relative, resolve, sep } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const at = process.argv.indexOf('--outdir')
const outdir = at >= 0 ? resolve(process.argv[at + 1]) : join(root, 'dist', 'bundle', 'cli')

// The package's exports (package.json), by module under src/ → entry under outdir.
const LIBRARY = {
  index: 'lib/index.js',
  'frameworks/index': 'lib/frameworks.js',
  'frameworks/algorithms/index': 'lib/frameworks-algorithms.js',
  'frameworks/marketplace': 'lib/frameworks-marketplace.js',
  'frameworks/recordio': 'lib/frameworks-recordio.js',
}

// Code inside that asks where it is (`import.meta.url`) is told it sits four levels below the package
// root, where tsc's output (dist/src/x/y/) and the earlier chunked bundle put it: the modules that find
// files from there (the local model server, the gateway daemon, the CLI's version) keep working.
const PLACE = join(outdir, 'chunks', 'sagespec.js')
const fromPlace = (path) => relative(dirname(PLACE), path).split(sep).join('/')

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

const entry = `export { main } from ${JSON.stringify(join(root, 'src', 'cli', 'main.ts'))}
export const library = {
${Object.keys(LIBRARY)
  .map((mod) => `  ${JSON.stringify(mod)}: () => import(${JSON.stringify(join(root, 'src', `${mod}.ts`))}),`)
  .join('\n')}
}
`

rmSync(outdir, { recursive: true, force: true })
const result = await build({
  stdin: { contents: entry, resolveDir: root, sourcefile: 'sagespec-core.ts', loader: 'ts' },
  outfile: join(outdir, 'sagespec.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['@aws-sdk/*', 'dockerode', 'tar', 'tsx', 'tsx/*', 'esbuild'],
  define: {
    'import.meta.url': '__sagespec_place',
    SAGESPEC_BUNDLE: JSON.stringify({
      version,
      root: `${fromPlace(root)}/`,
      library: Object.fromEntries(Object.entries(LIBRARY).map(([mod, file]) => [mod, fromPlace(join(outdir, file))])),
    }),
  },
  write: false,
  metafile: true,
  logLevel: 'warning',
})

// Dynamic imports of what stays outside (the AWS SDK, tsx, a compiled program) go through the launcher's
// own import(): V8 drops the import callback of code compiled from its cache (Node 20), so an import()
// inside the bundle would fail on every run after the first. Every rewritten call must be one esbuild
// reports (a literal specifier) or one whose specifier is computed without any string literal (a program's URL), so no text that merely
// looks like a call is touched.
const text = result.outputFiles[0].text
const outside = Object.values(result.metafile.outputs).flatMap((o) => o.imports).filter((i) => i.kind === 'dynamic-import' && i.external).length
const literal = (text.match(/\bimport\("/g) ?? []).length
const all = (text.match(/\bimport\(/g) ?? []).length
const variable = (text.match(/\bimport\([^"'`()]*(?:\([^"'`()]*\)[^"'`()]*)*\)/g) ?? []).length
if (literal !== outside || all !== literal + variable) {
  console.error(`bundle-cli: ${all} import( in the bundle: ${literal} with a literal specifier (esbuild reports ${outside}), ${variable} computed`)
  process.exit(1)
}
const code = text.replace(/\bimport\(/g, '__sagespec_import(')

// The first line names this build (bin/sagespec.js keys its code cache by it: V8 checks a cache only
// against the source's length).
const id = createHash('sha256').update(code).digest('hex').slice(0, 32)
mkdirSync(join(outdir, 'lib'), { recursive: true })
writeFileSync(join(outdir, 'sagespec.cjs'), `// sagespec-bundle ${id}\n${code}`)

// Each library entry: the names its module exports, read off the bundle itself.
const require = createRequire(import.meta.url)
globalThis.__sagespec_place = pathToFileURL(PLACE).href
globalThis.__sagespec_import = (specifier) => import(specifier)
const core = require(join(outdir, 'sagespec.cjs'))
delete globalThis.__sagespec_place
for (const [mod, file] of Object.entries(LIBRARY)) {
  const names = Object.keys(await core.library[mod]()).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n))
  writeFileSync(
    join(outdir, file),
    `// The library's ${mod} module from the running CLI (bin/sagespec.js), for the programs it loads.\n` +
      `const $cli = globalThis[Symbol.for('sagespec.cli')]\n` +
      `if ($cli === undefined) throw new Error('sagespec: this module is for programs the sagespec CLI loads; import "sagespec" instead')\n` +
      `const $m = await $cli.library[${JSON.stringify(mod)}]()\n` +
      names.map((n) => `export const ${n} = $m.${n}\n`).join(''),
  )
}
