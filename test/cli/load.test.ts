import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'

const run = async (...argv: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const status = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) })
  return { status, out: out.join('\n'), err: err.join('\n') }
}

const dir = mkdtempSync(join(tmpdir(), 'sagespec-cli-load-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const write = (name: string, text: string) => {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}
const lib = resolve('src/index.js')

describe('loading program modules', () => {
  it('a TypeScript module without a default export is named as such', async () => {
    const r = await run('plan', write('named.ts', 'export const x = 1\n'))
    expect(r.status).toBe(1)
    expect(r.err).toContain('the module has no default export')
  })

  it('a module that exports a function of params receives --param values that the program does not declare', async () => {
    const file = write(
      'fn.ts',
      `import { program, training } from ${JSON.stringify(lib)}
export default (p: Record<string, string>) => program(training('t', {
  image: 'i', role: 'arn:aws:iam::111122223333:role/R',
  resources: { instanceType: p.instance ?? 'ml.m5.large' }, output: { s3OutputPath: 's3://b/o' },
}))
`,
    )
    const r = await run('plan', file, '--param', 'instance=ml.c5.2xlarge', '--format', 'json')
    expect(r.err).toBe('')
    expect(r.status).toBe(0)
    expect(JSON.parse(r.out).steps[0].requests[0].input.ResourceConfig.InstanceType).toBe('ml.c5.2xlarge')
  })

  it('something thrown that is not an Error is still reported', async () => {
    const r = await run('plan', write('throws.ts', 'throw "boom"\n'))
    expect(r.status).toBe(1)
    expect(r.err).toContain('failed to load: boom')
  })

  const tiny = (instance: string) => `program(training('t', {
  image: 'i', role: 'arn:aws:iam::111122223333:role/R',
  resources: { instanceType: ${instance} }, output: { s3OutputPath: 's3://b/o' },
}))`
  const instanceOf = (out: string) => JSON.parse(out).steps[0].requests[0].input.ResourceConfig.InstanceType

  it('a program importing its own TypeScript modules loads them', async () => {
    write('instance.ts', `export const instance: string = 'ml.c5.xlarge'\n`)
    const file = write('local-import.ts', `import { program, training } from ${JSON.stringify(lib)}\nimport { instance } from './instance.js'\nexport default ${tiny('instance')}\n`)
    const r = await run('plan', file, '--format', 'json')
    expect(r.err).toBe('')
    expect(instanceOf(r.out)).toBe('ml.c5.xlarge')
  })

  it('a program that reads a file beside itself through import.meta.url finds it', async () => {
    write('instance.json', JSON.stringify({ instance: 'ml.m5.2xlarge' }))
    const file = write(
      'beside.ts',
      `import { readFileSync } from 'node:fs'\nimport { program, training } from ${JSON.stringify(lib)}\nconst { instance } = JSON.parse(readFileSync(new URL('./instance.json', import.meta.url), 'utf8'))\nexport default ${tiny('instance')}\n`,
    )
    const r = await run('plan', file, '--format', 'json')
    expect(r.err).toBe('')
    expect(instanceOf(r.out)).toBe('ml.m5.2xlarge')
  })

  it('a program that does not compile is reported as failing to load', async () => {
    const r = await run('plan', write('broken.ts', 'export default program(\n'))
    expect(r.status).toBe(1)
    expect(r.err).toContain('broken.ts: failed to load:')
  })

  it('a syntax error, an import that resolves to nothing and a name the library lacks each name file:line:column', async () => {
    const syntax = await run('plan', write('syntax.ts', `import { program } from ${JSON.stringify(lib)}\nexport default program(\n`))
    expect(syntax.status).toBe(1)
    expect(syntax.err).toMatch(/syntax\.ts: failed to load: .*syntax\.ts:3:1: Unexpected end of file/)
    const missing = await run('plan', write('missing.ts', `import { program } from ${JSON.stringify(lib)}\nimport { x } from './nope.js'\nexport default program(x)\n`))
    expect(missing.status).toBe(1)
    expect(missing.err).toMatch(/missing\.ts: failed to load: .*missing\.ts:2:19: Could not resolve "\.\/nope\.js"/)
    const name = await run('plan', write('name.ts', `import { program, nothere } from ${JSON.stringify(lib)}\nexport default program(nothere)\n`))
    expect(name.status).toBe(1)
    expect(name.err).toMatch(/name\.ts: failed to load: .*name\.ts:1:19: No matching export in ".*src\/index\.js" for import "nothere"/)
  })

  it("a program's imports of the library get the CLI's own modules, not a second copy", async () => {
    const file = write('same.ts', `import * as lib from ${JSON.stringify(lib)}\n;(globalThis as Record<string, unknown>).sagespecLoadTest = lib.program\nexport default ${tiny("'ml.m5.large'").replace('program(', 'lib.program(').replace('training(', 'lib.training(')}\n`)
    const r = await run('plan', file, '--format', 'json')
    expect(r.err).toBe('')
    const { program } = await import('../../src/index.js')
    expect((globalThis as Record<string, unknown>).sagespecLoadTest).toBe(program)
  })

  it('with a cache directory, a compiled program is kept, reused, and compiled again when a local import changes', async () => {
    const cache = join(dir, 'cache')
    const before = process.env['SAGESPEC_CACHE_DIR']
    process.env['SAGESPEC_CACHE_DIR'] = cache
    try {
      write('kept-instance.ts', `export const instance: string = 'ml.c5.xlarge'\n`)
      const file = write('kept.ts', `import { program, training } from ${JSON.stringify(lib)}\nimport { instance } from './kept-instance.js'\nexport default ${tiny('instance')}\n`)
      const first = await run('plan', file, '--format', 'json')
      expect(first.err).toBe('')
      expect(instanceOf(first.out)).toBe('ml.c5.xlarge')
      const kept = readdirSync(cache)
      expect(kept).toHaveLength(1)
      // The entry is what runs: edit its code (not its recorded sources) and the next run shows it.
      const entry = join(cache, kept[0]!)
      writeFileSync(entry, readFileSync(entry, 'utf8').replace(/"ml\.c5\.xlarge"/g, '"ml.c5.4xlarge"').replace(/"length":(\d+)/, (_, l: string) => `"length":${Number(l) + 1}`))
      expect(instanceOf((await run('plan', file, '--format', 'json')).out)).toBe('ml.c5.4xlarge')
      write('kept-instance.ts', `export const instance: string = 'ml.m5.2xlarge'\n`)
      const third = await run('plan', file, '--format', 'json')
      expect(instanceOf(third.out)).toBe('ml.m5.2xlarge')
      expect(readdirSync(cache)).toHaveLength(1)
    } finally {
      if (before === undefined) delete process.env['SAGESPEC_CACHE_DIR']
      else process.env['SAGESPEC_CACHE_DIR'] = before
    }
  })

  it('a missing file says it cannot be read', async () => {
    const r = await run('plan', join(dir, 'nope.ts'))
    expect(r.status).toBe(1)
    expect(r.err).toMatch(/nope\.ts: cannot read: ENOENT/)
  })

  it('names that are Object.prototype members are not commands or formats', async () => {
    expect((await run('constructor')).status).toBe(2)
    const r = await run('plan', 'examples/tuning.ts', '--format', 'toString')
    expect(r.status).toBe(2)
    expect(r.err).toContain('unknown --format "toString"')
  })
})
