import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { chain } from '../../bench/programs.js'
import { program } from '../../src/spec/program.js'

const dir = mkdtempSync(join(tmpdir(), 'sagespec-epipe-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('a reader that stops early', () => {
  it('ends the plan quietly with exit 0 (as `sagespec plan big.json | head` should), not with an EPIPE stack', async () => {
    // Far more than a pipe holds, so writes are still pending when the reader goes away.
    const file = join(dir, 'big.json')
    writeFileSync(file, JSON.stringify(program(...chain(400))))
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cli.ts', 'plan', file], { stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    child.stderr.on('data', (b: Buffer) => (err += b.toString()))
    let first = ''
    child.stdout.once('data', (b: Buffer) => {
      first = b.toString()
      child.stdout.destroy()
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)))
    expect(first).toMatch(/^Plan: 400 steps/)
    expect(err).toBe('')
    expect(code).toBe(0)
  }, 120_000)
})
