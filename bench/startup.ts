/**
 * Cold start benchmark: wall time of fresh processes, each right after a `node -e 0` of its own (a pair,
 * so load on the machine hits both alike), every command once per round and the rounds repeated;
 * medians of the times and of the pairs' ratios printed.
 *
 * - `sagespec --help`, `plan` on a JSON program, `plan` on the README's TypeScript example
 *   (`examples/train-deploy.ts`) with its compiled form kept from an earlier run (cache hit) and without
 *   (cache miss: esbuild compiles it), through `node bin/sagespec.js`; and the first run after an
 *   install, with no caches at all (SAGESPEC_NO_CACHE=1: neither V8's code cache nor compiled programs);
 * - the same as a project that installed sagespec sees them: `./node_modules/.bin/sagespec`,
 *   `npx sagespec`, `npm exec sagespec` (a temporary project whose node_modules links this package);
 * - npm's own share: `npx --version`, and `npx` starting a bin that does nothing, so what sagespec adds
 *   through npx shows apart from what npx costs;
 * - `npx sagespec` inside this repository (npm then checks the repository's whole node_modules tree).
 *
 * The CLI runs from its build (`npm run build`). Compiled programs go to a temporary cache directory
 * (SAGESPEC_CACHE_DIR), removed at the end.
 *
 *   npx tsx bench/startup.ts [--rounds N] [--no-npx]
 *
 * Prints ratios; never fails on time.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { toJson, type Program } from '../src/spec/index.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : undefined
}
const ROUNDS = Number(arg('--rounds') ?? 15)
const NPX = !process.argv.includes('--no-npx')
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx'
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

interface Case {
  readonly label: string
  readonly cmd: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  /** Run before each timed run, untimed (to empty the cache for a miss). */
  readonly before?: () => void
  readonly env?: NodeJS.ProcessEnv
}

const median = (xs: ReadonlyArray<number>): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const run = (c: Case, env: NodeJS.ProcessEnv) => spawnSync(c.cmd, c.args, { cwd: c.cwd, env: c.env ?? env, encoding: 'utf8', maxBuffer: 1 << 24 })

/** The README example's program as JSON (built from the module itself). */
const jsonProgram = async (): Promise<string> => {
  const mod = (await import('../examples/train-deploy.js')) as { default: Program | (() => Program) }
  return toJson(typeof mod.default === 'function' ? mod.default() : mod.default)
}

const main = async () => {
  if (!existsSync(join(root, 'dist', 'bundle', 'cli', 'sagespec.cjs'))) throw new Error('the CLI is not built: npm run build')
  const dir = mkdtempSync(join(tmpdir(), 'sagespec-bench-startup-'))
  try {
    const cache = join(dir, 'cache')
    const missCache = join(dir, 'cache-miss')
    const env = { ...process.env, SAGESPEC_CACHE_DIR: cache }
    const json = join(dir, 'train-deploy.json')
    writeFileSync(json, await jsonProgram())
    const ts = join(root, 'examples', 'train-deploy.ts')

    // A project that installed sagespec: node_modules/sagespec links this package, .bin as npm links it.
    const project = join(dir, 'project')
    mkdirSync(join(project, 'node_modules', '.bin'), { recursive: true })
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'bench-project', version: '1.0.0', private: true, dependencies: { sagespec: '*' } }))
    symlinkSync(root, join(project, 'node_modules', 'sagespec'), 'dir')
    symlinkSync('../sagespec/bin/sagespec.js', join(project, 'node_modules', '.bin', 'sagespec'))
    // A bin that does nothing: npx's cost of starting a Node program.
    const noop = join(project, 'node_modules', '.bin', 'noop')
    writeFileSync(noop, '#!/usr/bin/env node\n')
    chmodSync(noop, 0o755)

    const bin = join(root, 'bin', 'sagespec.js')
    const node = process.execPath
    // The compiled program goes; V8's code cache for the command stays (written by the first run).
    const emptyMissCache = () => {
      for (const f of existsSync(missCache) ? readdirSync(missCache) : []) if (f.endsWith('.mjs')) rmSync(join(missCache, f), { force: true })
    }
    const noCache = { ...process.env, SAGESPEC_NO_CACHE: '1' }
    const cases: Case[] = [
      { label: 'node -e 0', cmd: node, args: ['-e', '0'], cwd: root },
      { label: 'node bin/sagespec.js --help', cmd: node, args: [bin, '--help'], cwd: root },
      { label: 'node bin/sagespec.js plan <json>', cmd: node, args: [bin, 'plan', json], cwd: root },
      { label: 'node bin/sagespec.js plan <ts>, cache hit', cmd: node, args: [bin, 'plan', ts], cwd: root },
      { label: 'node bin/sagespec.js plan <ts>, cache miss', cmd: node, args: [bin, 'plan', ts], cwd: root, before: emptyMissCache, env: { ...env, SAGESPEC_CACHE_DIR: missCache } },
      { label: 'node bin/sagespec.js --help, no caches', cmd: node, args: [bin, '--help'], cwd: root, env: noCache },
      { label: 'node bin/sagespec.js plan <json>, no caches', cmd: node, args: [bin, 'plan', json], cwd: root, env: noCache },
      { label: 'node bin/sagespec.js plan <ts>, no caches', cmd: node, args: [bin, 'plan', ts], cwd: root, env: noCache },
      { label: './node_modules/.bin/sagespec --help', cmd: './node_modules/.bin/sagespec', args: ['--help'], cwd: project },
      { label: './node_modules/.bin/sagespec plan <json>', cmd: './node_modules/.bin/sagespec', args: ['plan', json], cwd: project },
      { label: './node_modules/.bin/sagespec plan <ts>, hit', cmd: './node_modules/.bin/sagespec', args: ['plan', ts], cwd: project },
      ...(NPX
        ? [
            { label: 'npx --version (npm alone)', cmd: npx, args: ['--version'], cwd: project },
            { label: 'npx noop (npm starting an empty bin)', cmd: npx, args: ['noop'], cwd: project },
            { label: 'npx sagespec --help', cmd: npx, args: ['sagespec', '--help'], cwd: project },
            { label: 'npx sagespec plan <json>', cmd: npx, args: ['sagespec', 'plan', json], cwd: project },
            { label: 'npx sagespec plan <ts>, hit', cmd: npx, args: ['sagespec', 'plan', ts], cwd: project },
            { label: 'npm exec sagespec plan <ts>, hit', cmd: npm, args: ['exec', '--', 'sagespec', 'plan', ts], cwd: project },
            { label: 'npx sagespec plan <ts>, hit, in this repository', cmd: npx, args: ['sagespec', 'plan', ts], cwd: root },
          ]
        : []),
    ]

    // Every plan prints the same bytes, and each command works, before anything is timed (this also
    // fills the cache for the hits and lets npx set up its copy of this repository once).
    const expected = run(cases[2]!, env)
    for (const c of cases) {
      c.before?.()
      const r = run(c, env)
      if (r.status !== 0) throw new Error(`${c.label}: exited ${r.status}\n${r.stderr}`)
      if (c.label.includes(' plan ') && r.stdout !== expected.stdout) throw new Error(`${c.label}: printed a different plan than the JSON program`)
    }

    console.log(`cold start: each command right after a \`node -e 0\` (a pair), every command once per round, ${ROUNDS} rounds; ratios are medians of the pairs' ratios; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
    const time = (c: Case): number => {
      c.before?.()
      const t = process.hrtime.bigint()
      const r = spawnSync(c.cmd, c.args, { cwd: c.cwd, env: c.env ?? env, stdio: 'ignore' })
      const ms = Number(process.hrtime.bigint() - t) / 1e6
      if (r.status !== 0) throw new Error(`${c.label}: exited ${r.status}`)
      return ms
    }
    const base = cases[0]!
    const times: number[][] = cases.map(() => [])
    const ratios: number[][] = cases.map(() => [])
    for (let i = 0; i < ROUNDS; i++)
      cases.forEach((c, k) => {
        const node0 = time(base)
        const t = k === 0 ? time(base) : time(c)
        times[k]!.push(t)
        ratios[k]!.push(t / node0)
      })
    const ms = times.map(median)
    const ratio = ratios.map(median)
    cases.forEach((c, k) => console.log(`  ${c.label.padEnd(52)} ${ms[k]!.toFixed(0).padStart(5)} ms  ${ratio[k]!.toFixed(2)}x node -e 0`))
    const at = (label: string) => cases.findIndex((c) => c.label === label)
    if (NPX) {
      // Per round: what npx adds to starting an empty bin, taken off npx sagespec's time.
      const noop = at('npx noop (npm starting an empty bin)')
      console.log(`  npx's own start-up (npx noop - node -e 0): ${(ms[noop]! - ms[0]!).toFixed(0)} ms; with it taken out, round by round:`)
      for (const label of ['npx sagespec --help', 'npx sagespec plan <json>', 'npx sagespec plan <ts>, hit']) {
        const k = at(label)
        const net = times[k]!.map((t, i) => (t - (times[noop]![i]! - times[0]![i]!)) / times[0]![i]!)
        console.log(`    ${label.padEnd(50)} ${median(net).toFixed(2)}x node -e 0`)
      }
    }
    console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
