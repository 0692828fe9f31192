#!/usr/bin/env node
// The launcher (CommonJS: bin/package.json says so, so that starting the CLI sets up no ES module
// loader). It compiles the bundled CLI, dist/bundle/cli/sagespec.cjs (`npm run build`, or `npm install`
// through the prepare script), with V8's code cache: what an earlier run of the same command parsed
// and compiled is read back instead, most of a cold start. The cache lives beside the compiled
// programs (node_modules/.cache/sagespec, or SAGESPEC_CACHE_DIR; SAGESPEC_NO_CACHE=1 turns it off); it
// is keyed by the bundle's build and Node's version, written whole or not at all, and a missing, stale
// or rejected one only means compiling as usual.
'use strict'

// sagespec targets Node.js 20 by design; the AWS SDK's notice that its 2027 releases will need Node 22
// would otherwise end every command that loads it (set the variable to "false" to see it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'

const { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs')
const { basename, dirname, join } = require('node:path')
const { pathToFileURL } = require('node:url')
const vm = require('node:vm')

const root = dirname(__dirname)
const bundle = join(root, 'dist', 'bundle', 'cli', 'sagespec.cjs')
let source
try {
  source = readFileSync(bundle, 'utf8')
} catch {
  process.stderr.write(`sagespec: the CLI is not built (${bundle} is missing): run npm run build\n`)
  process.exit(1)
}

// The same folders as the compiled programs' (src/cli/library.ts): the project's node_modules/.cache,
// else the user's cache folder (an install this user cannot write to, such as a global one).
const noCache = (process.env.SAGESPEC_NO_CACHE ?? '') !== '' && process.env.SAGESPEC_NO_CACHE !== '0'
const home = process.env.XDG_CACHE_HOME || (process.env.HOME ? join(process.env.HOME, '.cache') : process.env.LOCALAPPDATA)
const cacheDirs = noCache
  ? []
  : process.env.SAGESPEC_CACHE_DIR
    ? [process.env.SAGESPEC_CACHE_DIR]
    : [basename(dirname(root)) === 'node_modules' ? join(dirname(root), '.cache', 'sagespec') : join(root, 'node_modules', '.cache', 'sagespec'), ...(home ? [join(home, 'sagespec')] : [])]
// One cache per command (and per kind of program: TypeScript runs the compiler's glue): each holds what
// its own runs compiled.
const command = /^[a-z]+$/.test(process.argv[2] ?? '') ? process.argv[2] : 'other'
const kind = process.argv.slice(3).some((a) => /\.m?ts$/.test(a)) ? '-ts' : ''
const build = /^\/\/ sagespec-bundle ([0-9a-f]+)\n/.exec(source)?.[1]
const cacheName = build === undefined ? undefined : `v8-${build}-${process.version}-${process.arch}-${command}${kind}.bin`

// V8's young generation doubles each time as much has survived it as it holds, up to two 16 MB halves.
// Planning a program keeps nearly all it makes (the program, its checks, the plan), so on a large one
// the nursery grew to its largest and stayed: 32 MB of a 10,000-step plan's 137 MB peak. The planning
// commands keep it at the size it starts with; their other garbage is short-lived, and they take no
// longer for it (bench/plan.ts prints the CLI's peak). The flag is read at each growth decision, so it
// takes effect here; it is set before the bundle is compiled because V8 keys a code cache by its flags.
if (command === 'plan' || command === 'airflow') require('node:v8').setFlagsFromString('--semi-space-growth-factor=1')

let cachedData
if (cacheName !== undefined)
  for (const dir of cacheDirs) {
    try {
      cachedData = readFileSync(join(dir, cacheName))
      break
    } catch {
      // none there
    }
  }

const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __sagespec_place, __sagespec_import) {${source}\n})`, {
  filename: bundle,
  cachedData,
})

if (cacheName !== undefined && (cachedData === undefined || script.cachedDataRejected === true))
  // At exit, so the cache holds every function this run compiled, not only the top level; into the
  // first folder that takes it, whole (renamed into place) or not at all.
  process.once('exit', () => {
    const data = script.createCachedData()
    for (const dir of cacheDirs) {
      const tmp = join(dir, `${cacheName}.${process.pid}.tmp`)
      try {
        mkdirSync(dir, { recursive: true })
        writeFileSync(tmp, data)
        renameSync(tmp, join(dir, cacheName))
        return
      } catch {
        try {
          rmSync(tmp, { force: true })
        } catch {
          // nothing to remove
        }
      }
    }
  })

const cli = { exports: {} }
// Where the bundled modules believe they are (see scripts/bundle-cli.mjs).
// The build in its query: compiled programs are kept per build of the CLI (src/cli/library.ts).
const place = `${pathToFileURL(join(root, 'dist', 'bundle', 'cli', 'chunks', 'sagespec.js')).href}${build === undefined ? '' : `?build=${build}`}`
// The bundle's dynamic imports come here (see scripts/bundle-cli.mjs): resolved from this file, beside the bundle's own packages.
const importHere = (specifier) => import(specifier)
script.runInThisContext()(cli.exports, require, cli, bundle, dirname(bundle), place, importHere)
// The library entries (dist/bundle/cli/lib/) hand these modules to the programs the CLI loads.
globalThis[Symbol.for('sagespec.cli')] = cli.exports
cli.exports.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
