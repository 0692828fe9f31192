/**
 * The library as a consumer with a strict tsconfig sees it: `test/consumer/presets.ts` (every preset,
 * with optional fields) must type-check under `exactOptionalPropertyTypes`, and a mistake in a preset's
 * options must read in a few lines that name the field, without io-ts's internals.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const root = resolve('.')

/** tsc's diagnostics for a project (empty when it compiles). */
const diagnostics = (project: string): string => {
  try {
    execFileSync(process.execPath, [tsc, '-p', project, '--pretty', 'false'], { encoding: 'utf8', stdio: 'pipe' })
    return ''
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e)
  }
}

const dir = mkdtempSync(join(tmpdir(), 'sagespec-consumer-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Each line one mistake a user makes, in the two shapes TypeScript reports differently: an object
// literal in the call, and a variable passed in.
const MISTAKES = `
import { pytorch } from '${root}/src/frameworks/index.js'
const base = { entryPoint: 'train.py', codeLocation: 's3://b/code', frameworkVersion: '2.5', region: 'us-west-2', role: 'arn:aws:iam::111122223333:role/R', instanceType: 'ml.m5.xlarge', output: { s3OutputPath: 's3://b/out' } }
export const a = pytorch('a', { ...base, stopping: { maxRuntimeInSecond: 3600 } })
export const b = pytorch('b', { ...base, checkpoint: { s3uri: 's3://b/c' } })
const opts = { ...base, stopping: { maxRuntimeInSeconds: '3600' } }
export const c = pytorch('c', opts)
const channels = { train: { uri: 's3://b/t', inputMode: 'File', shuffleSeed: 'x' } }
export const d = pytorch('d', { ...base, channels })
`

describe('a consumer with a strict tsconfig', () => {
  it('compiles every preset with optional fields under exactOptionalPropertyTypes', () => {
    expect(diagnostics('test/consumer/tsconfig.json')).toBe('')
  }, 180_000)

  it('reads a mistake in a preset\'s options in a few lines naming the field, with no io-ts internals', () => {
    writeFileSync(join(dir, 'mistakes.ts'), MISTAKES)
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: `${root}/test/consumer/tsconfig.json`,
        compilerOptions: { typeRoots: [`${root}/node_modules/@types`] },
        files: [join(dir, 'mistakes.ts')],
      }),
    )
    const out = diagnostics(join(dir, 'tsconfig.json'))
    const errors = out.split('\n').filter((l) => /error TS\d+/.test(l))
    expect(errors.map((l) => /mistakes\.ts\((\d+),/.exec(l)?.[1])).toEqual(['4', '5', '7', '9'])
    expect(out).not.toMatch(/StructOf|Type<|unknown>/)
    expect(out).toContain("'maxRuntimeInSecond' does not exist in type '{ readonly maxRuntimeInSeconds?: Val<number>; }'")
    expect(out).toContain("The types of 'stopping.maxRuntimeInSeconds' are incompatible")
    expect(out).toContain("'s3uri' does not exist in type '{ readonly s3Uri: StrVal<\"S3Uri\">; readonly localPath?: Val<string>; }'")
    expect(out).toContain("Types of property 'inputMode' are incompatible")
    // At most a handful of lines per mistake.
    expect(out.trim().split('\n').length).toBeLessThanOrEqual(4 * 6)
  }, 180_000)
})
