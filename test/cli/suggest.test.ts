import { describe, expect, it } from 'vitest'
import { main } from '../../src/cli/main.js'
import { distance, suggest, withSuggestion } from '../../src/cli/suggest.js'

const cli = async (...argv: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const status = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) })
  return { status, out: out.join('\n'), err: err.join('\n') }
}

describe('suggest', () => {
  it('distance counts edits, a swap as one', () => {
    expect(distance('plan', 'plan')).toBe(0)
    expect(distance('plna', 'plan')).toBe(1)
    expect(distance('rnu', 'run')).toBe(1)
    expect(distance('taget', 'target')).toBe(1)
    expect(distance('', 'abc')).toBe(3)
  })
  it('suggests only near misses', () => {
    expect(suggest('taget', ['target', 'runtime'])).toBe('target')
    expect(suggest('zzzzzz', ['target', 'runtime'])).toBeUndefined()
  })
  it('rewrites node parseArgs messages', () => {
    expect(withSuggestion("Unknown option '--taget'. To specify a positional argument…", ['target'])).toBe('unknown option "--taget" (did you mean "--target"?)')
    expect(withSuggestion('Option --format requires a value', ['format'])).toBe('Option --format requires a value')
  })
})

describe('sagespec', () => {
  it('--version prints the package version', async () => {
    const r = await cli('--version')
    expect(r.status).toBe(0)
    expect(r.out).toMatch(/^\d+\.\d+\.\d+$/)
  })
  it('a mistyped command gets a suggestion and exit 2', async () => {
    const r = await cli('pln', 'x.ts')
    expect(r.status).toBe(2)
    expect(r.err.split('\n')[0]).toBe('unknown command "pln" (did you mean "plan"?)')
  })
  it('a mistyped flag gets a suggestion and exit 2', async () => {
    const r = await cli('plan', 'examples/train-deploy.ts', '--fromat', 'json')
    expect(r.status).toBe(2)
    expect(r.err.split('\n')[0]).toBe('unknown option "--fromat" (did you mean "--format"?)')
  })
})
