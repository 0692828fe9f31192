import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { configOf, lookup, store, type Sources } from '../../src/cli/program-cache.js'

const dir = mkdtempSync(join(tmpdir(), 'sagespec-program-cache-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let n = 0
/** A program directory of its own, with its source, a local import and a package file. */
const setup = () => {
  const at = join(dir, `case-${n++}`)
  mkdirSync(join(at, 'src'), { recursive: true })
  const program = join(at, 'src', 'program.ts')
  const local = join(at, 'src', 'local.ts')
  const pkg = join(at, 'pkg.js')
  writeFileSync(program, 'export default 1\n')
  writeFileSync(local, 'export const x = 1\n')
  writeFileSync(pkg, 'export const y = 2\n')
  const sources: Sources = {
    inputs: [
      { file: program, text: 'export default 1\n' },
      { file: local, text: 'export const x = 1\n' },
    ],
    configs: [configOf(join(at, 'src'))],
    externals: [pkg],
  }
  return { at, program, local, pkg, sources, cache: join(at, 'cache') }
}

const CODE = 'export default 42\n'

describe('the compiled-program cache', () => {
  it('hands back what was stored while every input holds, and the module loads', async () => {
    const c = setup()
    const stored = store(c.cache, 'build-1', c.program, c.sources, CODE)
    expect(stored).toBeDefined()
    const found = lookup(c.cache, 'build-1', c.program)
    expect(found).toBe(stored)
    expect(((await import(found!)) as { default: number }).default).toBe(42)
  })

  it('misses for another build of the CLI or another program', () => {
    const c = setup()
    store(c.cache, 'build-1', c.program, c.sources, CODE)
    expect(lookup(c.cache, 'build-2', c.program)).toBeUndefined()
    expect(lookup(c.cache, 'build-1', c.local)).toBeUndefined()
  })

  it('misses once a local import changes, even by one byte', () => {
    const c = setup()
    store(c.cache, 'b', c.program, c.sources, CODE)
    writeFileSync(c.local, 'export const x = 2\n')
    expect(lookup(c.cache, 'b', c.program)).toBeUndefined()
  })

  it('misses when an input is gone, or a package file it imports', () => {
    const c = setup()
    store(c.cache, 'b', c.program, c.sources, CODE)
    rmSync(c.pkg)
    expect(lookup(c.cache, 'b', c.program)).toBeUndefined()
    const d = setup()
    store(d.cache, 'b', d.program, d.sources, CODE)
    rmSync(d.local)
    expect(lookup(d.cache, 'b', d.program)).toBeUndefined()
  })

  it('misses when a tsconfig.json appears nearer the program, or the one that applied changes', () => {
    const c = setup()
    writeFileSync(join(c.at, 'tsconfig.json'), '{}')
    const sources = { ...c.sources, configs: [configOf(join(c.at, 'src'))] }
    expect(sources.configs[0]!.file).toBe(join(c.at, 'tsconfig.json'))
    store(c.cache, 'b', c.program, sources, CODE)
    expect(lookup(c.cache, 'b', c.program)).toBeDefined()
    writeFileSync(join(c.at, 'tsconfig.json'), '{"compilerOptions":{"verbatimModuleSyntax":true}}')
    expect(lookup(c.cache, 'b', c.program)).toBeUndefined()
    writeFileSync(join(c.at, 'tsconfig.json'), '{}')
    expect(lookup(c.cache, 'b', c.program)).toBeDefined()
    writeFileSync(join(c.at, 'src', 'tsconfig.json'), '{}')
    expect(lookup(c.cache, 'b', c.program)).toBeUndefined()
  })

  it('a cut-short, garbled or foreign entry is a miss, never an error', () => {
    const c = setup()
    store(c.cache, 'b', c.program, c.sources, CODE)
    const [entry] = readdirSync(c.cache)
    const file = join(c.cache, entry!)
    const whole = `// sagespec-program v2 ${JSON.stringify({ id: 'b', program: c.program, length: CODE.length, ...c.sources })}\n${CODE}`
    for (const broken of [whole.slice(0, whole.length - 3), whole.slice(0, 40), 'garbage', '', `// sagespec-program v2 {"id":1}\n${CODE}`, `// other ${whole}`]) {
      writeFileSync(file, broken)
      expect(lookup(c.cache, 'b', c.program)).toBeUndefined()
    }
    writeFileSync(file, whole)
    expect(lookup(c.cache, 'b', c.program)).toBeDefined()
  })

  it('a program compiled again replaces its entry, and its new code gets a new URL', () => {
    const c = setup()
    const first = store(c.cache, 'b', c.program, c.sources, CODE)
    const second = store(c.cache, 'b', c.program, c.sources, 'export default 43\n')
    expect(readdirSync(c.cache)).toHaveLength(1)
    expect(second).not.toBe(first)
    expect(lookup(c.cache, 'b', c.program)).toBe(second)
  })

  it('a cache that cannot be written is no cache: store says so', () => {
    const c = setup()
    writeFileSync(join(c.at, 'file'), 'not a directory')
    expect(store(join(c.at, 'file', 'cache'), 'b', c.program, c.sources, CODE)).toBeUndefined()
  })
})
