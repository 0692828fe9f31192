/**
 * The repack core on a store of local files: code/ is added (replacing the archive's own with a
 * source directory, beside it without), dependencies go under code/lib/, the name is the inputs'
 * hashes, a second repack makes nothing, a hostile archive is refused, and no temp folder stays.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { afterAll, describe, expect, it } from 'vitest'
import { packCode } from '../../../src/interpret/code/pack.js'
import { repackModel, repackName, type RepackStore } from '../../../src/interpret/code/repack.js'
import { packFolder } from '../../../src/local/archive.js'
import { code, type Code } from '../../../src/spec/val.js'

const root = mkdtempSync(join(tmpdir(), 'sagespec-repack-unit-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const write = (rel: string, text: string) => {
  mkdirSync(join(root, rel, '..'), { recursive: true })
  writeFileSync(join(root, rel), text)
}
write('src/inference.py', 'print("serve")\n')
write('src/util.py', 'X = 1\n')
write('deps/mylib/__init__.py', '')
write('model/model.pth', 'weights')
write('model/code/old.py', 'old')

const puts: string[] = []
const store: RepackStore = {
  fetch: async (uri, file) => copyFileSync(uri.replace('file://', ''), file),
  target: (name) => `file://${join(root, 'out', name, 'model.tar.gz')}`,
  exists: async (uri) => existsSync(uri.replace('file://', '')),
  put: async (uri, file) => {
    const dest = uri.replace('file://', '')
    mkdirSync(join(dest, '..'), { recursive: true })
    copyFileSync(file, dest)
    puts.push(dest)
  },
}

const layout = (c: Code) => {
  const p = packCode(c, { cwd: root, layout: 'model-code' })
  if (E.isLeft(p)) throw new Error('does not pack')
  return p.right
}
const list = (file: string) => execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter((l) => l !== '').sort()

describe('repackModel', () => {
  it('lays the code out as code/ with dependencies under code/lib/', () => {
    const p = layout(code({ entryPoint: 'inference.py', sourceDir: 'src', dependencies: ['deps/mylib'], s3Prefix: 's3://b/c' }))
    expect(p.entries.map((e) => e.path)).toEqual(['code', 'code/inference.py', 'code/lib', 'code/lib/mylib', 'code/lib/mylib/__init__.py', 'code/util.py'])
    expect(layout(code({ entryPoint: 'src/inference.py', s3Prefix: 's3://b/c' })).entries.map((e) => e.path)).toEqual(['code', 'code/inference.py'])
  })

  it('replaces the archive\'s code/ with a source directory, names the result by both hashes, and makes it once', async () => {
    await packFolder(join(root, 'model'), join(root, 'model.tar.gz'))
    const c = layout(code({ entryPoint: 'inference.py', sourceDir: 'src', dependencies: ['deps/mylib'], s3Prefix: 's3://b/c' }))
    const first = await repackModel(store, { modelUri: `file://${join(root, 'model.tar.gz')}`, codeTar: c.tar, codeSha256: c.sha256, replaceCode: true })
    expect(first.uploaded).toBe(true)
    expect(first.uri).toBe(`file://${join(root, 'out', repackName(first.originalSha256, c.sha256), 'model.tar.gz')}`)
    expect(list(first.uri.replace('file://', ''))).toEqual(['code/', 'code/inference.py', 'code/lib/', 'code/lib/mylib/', 'code/lib/mylib/__init__.py', 'code/util.py', 'model.pth'])
    const again = await repackModel(store, { modelUri: `file://${join(root, 'model.tar.gz')}`, codeTar: c.tar, codeSha256: c.sha256, replaceCode: true })
    expect(again).toEqual({ ...first, uploaded: false })
    expect(puts).toEqual([first.uri.replace('file://', '')])
  })

  it('without a source directory, adds the entry point beside the archive\'s own code/', async () => {
    const c = layout(code({ entryPoint: 'src/inference.py', s3Prefix: 's3://b/c' }))
    const r = await repackModel(store, { modelUri: `file://${join(root, 'model.tar.gz')}`, codeTar: c.tar, codeSha256: c.sha256, replaceCode: false })
    expect(list(r.uri.replace('file://', ''))).toEqual(['code/', 'code/inference.py', 'code/old.py', 'model.pth'])
  })

  it('refuses a model archive that would write outside its folder, and leaves no temp folder behind', async () => {
    const evil = join(root, 'evil')
    mkdirSync(join(evil, 'a'), { recursive: true })
    writeFileSync(join(evil, 'x'), 'x')
    execFileSync('tar', ['-czf', join(root, 'evil.tar.gz'), '-C', join(evil, 'a'), '--absolute-names', '../x'])
    const c = layout(code({ entryPoint: 'src/inference.py', s3Prefix: 's3://b/c' }))
    const scratch = join(root, 'tmp')
    mkdirSync(scratch)
    const saved = process.env['TMPDIR']
    process.env['TMPDIR'] = scratch
    try {
      await expect(repackModel(store, { modelUri: `file://${join(root, 'evil.tar.gz')}`, codeTar: c.tar, codeSha256: c.sha256, replaceCode: false })).rejects.toThrow(/a "\.\." path component/)
    } finally {
      if (saved === undefined) delete process.env['TMPDIR']
      else process.env['TMPDIR'] = saved
    }
    expect(readdirSync(scratch)).toEqual([])
  })
})
