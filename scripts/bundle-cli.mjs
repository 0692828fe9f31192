// The CLI as one file (plus a chunk per lazily loaded command), so a cold start reads a few files
// instead of dozens of modules. Run by `npm run build` and by `npm install` (the prepare script).
// The AWS SDK, dockerode, tar, tsx and esbuild stay outside: they are loaded only by the commands that
// need them, and tsx and esbuild find their own files next to them.
//
// The library's public modules are entries too (dist/bundle/cli/lib/), sharing their chunks with the
// commands: a TypeScript program's imports of the library are pointed at them (src/cli/library.ts), so
// the program uses the modules the CLI has already loaded rather than a second copy.
//
//   node scripts/bundle-cli.mjs [--outdir DIR]     (default dist/bundle/cli)
import { build } from 'esbuild'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { dirname, join, relative, resolve, sep } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const at = process.argv.indexOf('--outdir')
// dist/bundle/cli/: main.ts finds package.json three levels up, as from dist/src/cli/.
const outdir = at >= 0 ? resolve(process.argv[at + 1]) : join(root, 'dist', 'bundle', 'cli')

// The package's exports (package.json), by module under src/ → entry name under outdir.
const LIBRARY = {
  index: 'lib/index',
  'frameworks/index': 'lib/frameworks',
  'frameworks/algorithms/index': 'lib/frameworks-algorithms',
  'frameworks/marketplace': 'lib/frameworks-marketplace',
  'frameworks/recordio': 'lib/frameworks-recordio',
}
const CHUNKS = 'chunks'

const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const fromChunk = (path) => relative(join(outdir, CHUNKS), path).split(sep).join('/')

// esbuild cuts chunks by the set of entries that reach a module. Every command and library entry is
// made to reach all of `plan`'s modules, and every one but `plan` all of the library's: `plan` then
// reads one chunk besides its entry, and a TypeScript program's library one more.
const PLAN = join(root, 'src', 'cli', 'plan.ts')
const INDEX = join(root, 'src', 'index.ts')
const COMMANDS = ['airflow', 'run', 'runs', 'endpoints', 'predict', 'tuning', 'attach', 'gateway'].map((c) => join(root, 'src', 'cli', `${c}.ts`))
const reaches = new Map([
  ...[...COMMANDS, ...Object.keys(LIBRARY).map((mod) => join(root, 'src', `${mod}.ts`))].map((f) => [f, [PLAN, INDEX]]),
  [PLAN, []],
])
const chunking = {
  name: 'sagespec-chunking',
  setup: (b) =>
    b.onLoad({ filter: /\.ts$/ }, (a) => {
      const more = (reaches.get(a.path) ?? []).filter((f) => f !== a.path)
      if (more.length === 0) return undefined
      return { contents: `${readFileSync(a.path, 'utf8')}\n${more.map((f) => `import ${JSON.stringify(f)}`).join('\n')}\n`, loader: 'ts', resolveDir: dirname(a.path) }
    }),
}

const result = await build({
  entryPoints: {
    sagespec: join(root, 'src', 'cli', 'bin.ts'),
    ...Object.fromEntries(Object.entries(LIBRARY).map(([mod, entry]) => [entry, join(root, 'src', `${mod}.ts`)])),
  },
  outdir,
  chunkNames: `${CHUNKS}/[name]-[hash]`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@aws-sdk/*', 'dockerode', 'tar', 'tsx', 'tsx/*', 'esbuild'],
  define: {
    // Paths relative to the chunk that holds src/cli/library.ts (checked below).
    SAGESPEC_BUNDLE: JSON.stringify({
      version,
      root: `${fromChunk(root)}/`,
      library: Object.fromEntries(Object.entries(LIBRARY).map(([mod, entry]) => [mod, fromChunk(join(outdir, `${entry}.js`))])),
    }),
  },
  plugins: [chunking],
  metafile: true,
  logLevel: 'warning',
})

const holder = Object.entries(result.metafile.outputs).find(([, o]) => Object.keys(o.inputs).some((i) => i.replaceAll('\\', '/').endsWith('src/cli/library.ts')))
if (holder === undefined || dirname(resolve(holder[0])) !== join(outdir, CHUNKS)) {
  console.error(`bundle-cli: src/cli/library.ts landed in ${holder?.[0] ?? 'no output'}, not in ${CHUNKS}/: its relative paths would be wrong`)
  process.exit(1)
}
