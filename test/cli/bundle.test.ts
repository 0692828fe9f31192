/**
 * The built CLI as users run it: scripts/bundle-cli.mjs builds into a temporary package root (bin/
 * copied, node_modules linked), and bin/sagespec.js runs it in fresh processes, its code cache and
 * compiled programs in a temporary cache directory. What it prints must be what the CLI from source
 * prints, with and without its caches, and with a damaged code cache.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { toJson, type Program } from '../../src/spec/program.js'

const repo = resolve('.')
const dir = mkdtempSync(join(tmpdir(), 'sagespec-bundle-'))
const pkg = join(dir, 'pkg')
const cache = join(dir, 'cache')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

beforeAll(() => {
  mkdirSync(pkg)
  cpSync(join(repo, 'bin'), join(pkg, 'bin'), { recursive: true })
  cpSync(join(repo, 'package.json'), join(pkg, 'package.json'))
  symlinkSync(join(repo, 'node_modules'), join(pkg, 'node_modules'), 'dir')
  const built = spawnSync(process.execPath, [join(repo, 'scripts', 'bundle-cli.mjs'), '--outdir', join(pkg, 'dist', 'bundle', 'cli')], { cwd: repo, encoding: 'utf8' })
  if (built.status !== 0) throw new Error(`bundle-cli failed: ${built.stderr}`)
}, 120_000)

const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(pkg, 'bin', 'sagespec.js'), ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, SAGESPEC_CACHE_DIR: cache } })

const fromSource = async (...argv: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const status = await main(argv, { out: (s) => void out.push(s.endsWith('\n') ? s : s + '\n'), err: (s) => void err.push(s.endsWith('\n') ? s : s + '\n') })
  return { status, stdout: out.join(''), stderr: err.join('') }
}

const codeCaches = (command: string) => readdirSync(cache).filter((f) => f.startsWith('v8-') && f.endsWith(`-${command}.bin`))
const inodes = (command: string) => codeCaches(command).map((f) => statSync(join(cache, f)).ino)

describe('the bundled CLI through bin/sagespec.js', () => {
  it('--help and --version as from source', async () => {
    for (const args of [['--help'], ['--version']]) {
      const r = cli(...args)
      const s = await fromSource(...args)
      expect(r.status).toBe(s.status)
      expect(r.stdout).toBe(s.stdout)
    }
  })

  it('plans a TypeScript program byte for byte as from source, with caches cold, warm and damaged', async () => {
    const expected = await fromSource('plan', 'examples/train-deploy.ts')
    expect(expected.status).toBe(0)
    const cold = cli('plan', 'examples/train-deploy.ts')
    expect(cold.stderr).toBe('')
    expect(cold.stdout).toBe(expected.stdout)
    // Both caches were written: the compiled program and V8's code for this command.
    expect(readdirSync(cache).filter((f) => f.endsWith('.mjs'))).toHaveLength(1)
    expect(codeCaches('plan-ts')).toHaveLength(1)
    const written = inodes('plan-ts')
    const warm = cli('plan', 'examples/train-deploy.ts')
    expect(warm.stdout).toBe(expected.stdout)
    // V8 took the code cache: a rejected one is written again (renamed into place, a new file).
    expect(inodes('plan-ts')).toEqual(written)
    for (const f of codeCaches('plan-ts')) writeFileSync(join(cache, f), 'not V8 code')
    const damaged = cli('plan', 'examples/train-deploy.ts')
    expect(damaged.stderr).toBe('')
    expect(damaged.stdout).toBe(expected.stdout)
  })

  // The planning commands set a V8 flag (bin/sagespec.js) and V8 keys a code cache by its flags: set
  // after the cache was read, every run would reject it and compile the bundle again.
  it('plan and airflow runs of a JSON program take the code cache the run before them wrote', async () => {
    const json = join(mkdtempSync(join(dir, 'json-')), 'program.json')
    const example = (await import('../../examples/train-deploy.js')) as { default: Program | (() => Program) }
    writeFileSync(json, toJson(typeof example.default === 'function' ? example.default() : example.default))
    for (const [command, args] of [['plan', ['plan', json]], ['airflow', ['airflow', json, '-o', `${json}.py`]]] as const) {
      expect(cli(...args).status).toBe(0)
      const written = inodes(command)
      expect(written).toHaveLength(1)
      expect(cli(...args).status).toBe(0)
      expect(inodes(command)).toEqual(written)
    }
  })

  it('the JSON format, a TypeScript compile error and an unknown command say what the CLI from source says', async () => {
    const dirOf = mkdtempSync(join(dir, 'programs-'))
    const broken = join(dirOf, 'broken.ts')
    writeFileSync(broken, 'export default program(\n')
    for (const args of [['plan', 'examples/tuning.ts', '--format', 'json'], ['plan', broken], ['nope']]) {
      const r = cli(...args)
      const s = await fromSource(...args)
      expect([r.status, r.stdout, r.stderr]).toEqual([s.status, s.stdout, s.stderr])
    }
  })

  it('the library entries serve only programs the CLI loads', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(join(pkg, 'dist', 'bundle', 'cli', 'lib', 'index.js'))})`], { encoding: 'utf8' })
    expect(r.status).not.toBe(0)
    expect(r.stderr).toContain('this module is for programs the sagespec CLI loads')
  })
})
