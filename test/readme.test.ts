/**
 * The README's program is real: it validates and plans (the import is pointed at the sources, so the
 * test does not depend on a build).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { main } from '../src/cli/main.js'

const readme = readFileSync('README.md', 'utf8')
const dir = mkdtempSync(join(resolve('test'), '.readme-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('README', () => {
  it('its program plans, with the parameter bound from the command line', async () => {
    const block = /## A program\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(block).toBeDefined()
    const file = join(dir, 'program.ts')
    writeFileSync(file, block!.replace("from 'sagespec'", `from ${JSON.stringify(resolve('src/index.js'))}`))
    const out: string[] = []
    const err: string[] = []
    const status = await main(['plan', file, '--param', 'epochs=50', '--format', 'json'], { out: (s) => void out.push(s), err: (s) => void err.push(s) })
    expect(err).toEqual([])
    expect(status).toBe(0)
    const plan = JSON.parse(out.join('\n'))
    expect(plan.steps.map((s: { name: string }) => s.name)).toEqual(['train', 'churn-model', 'churn-endpoint'])
    expect(plan.steps[0].requests[0].input.HyperParameters.num_round).toBe('50')
  })

  it('names the two set-up commands', () => {
    expect(readme).toContain('npm install && npx sagespec run examples/local/quickstart.ts --target local')
    expect(readme).toContain('npm test')
  })
})
