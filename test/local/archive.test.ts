import { afterEach, describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import * as E from 'fp-ts/lib/Either.js'
import { safeExtract, unsafeEntries } from '../../src/local/archive.js'
import { cleanupDirs, tempDir } from './serving/support.js'

// A ustar archive written by hand, so entries tar's own writer would never make can be tested.
interface Entry {
  readonly path: string
  readonly type: '0' | '1' | '2' | '5'
  readonly body?: string
  readonly link?: string
}

const field = (buf: Buffer, offset: number, length: number, text: string): void => void buf.write(text, offset, length, 'utf8')
const octal = (buf: Buffer, offset: number, length: number, n: number): void => field(buf, offset, length, n.toString(8).padStart(length - 1, '0') + '\0')

const tarOf = (entries: ReadonlyArray<Entry>): Buffer => {
  const blocks: Buffer[] = []
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '')
    const h = Buffer.alloc(512)
    field(h, 0, 100, e.path)
    octal(h, 100, 8, e.type === '5' ? 0o755 : 0o644)
    octal(h, 108, 8, 0)
    octal(h, 116, 8, 0)
    octal(h, 124, 12, e.type === '0' ? body.length : 0)
    octal(h, 136, 12, 0)
    field(h, 148, 8, '        ')
    field(h, 156, 1, e.type)
    field(h, 157, 100, e.link ?? '')
    field(h, 257, 6, 'ustar\0')
    field(h, 263, 2, '00')
    let sum = 0
    for (const b of h) sum += b
    field(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ')
    blocks.push(h)
    if (e.type === '0') blocks.push(Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]))
  }
  blocks.push(Buffer.alloc(1024))
  return gzipSync(Buffer.concat(blocks))
}

const dirs: string[] = []
afterEach(() => cleanupDirs(dirs))

/** The archive in `root/in`, extracted to `root/sandbox/model`; returns the result and root. */
const tryExtract = async (entries: ReadonlyArray<Entry>) => {
  const root = tempDir(dirs)
  mkdirSync(join(root, 'in'))
  mkdirSync(join(root, 'sandbox'))
  const archive = join(root, 'in', 'model.tar.gz')
  writeFileSync(archive, tarOf(entries))
  const model = join(root, 'sandbox', 'model')
  return { result: await safeExtract(archive, model), root, model }
}

describe('safeExtract', () => {
  it('unpacks a normal model archive, folders and inside links included', async () => {
    const { result, model } = await tryExtract([
      { path: 'model.txt', type: '0', body: 'weights' },
      { path: 'code/', type: '5' },
      { path: 'code/inference.py', type: '0', body: 'print(1)' },
      { path: 'latest', type: '2', link: 'model.txt' },
      { path: 'code/up', type: '2', link: '../model.txt' },
    ])
    expect(result).toEqual(E.right(undefined))
    expect(readFileSync(join(model, 'model.txt'), 'utf8')).toBe('weights')
    expect(readFileSync(join(model, 'code', 'inference.py'), 'utf8')).toBe('print(1)')
    expect(readlinkSync(join(model, 'latest'))).toBe('model.txt')
    expect(readFileSync(join(model, 'code', 'up'), 'utf8')).toBe('weights')
  })

  const hostile: ReadonlyArray<[string, ReadonlyArray<Entry>, string]> = [
    ['a ../ path', [{ path: 'ok.txt', type: '0', body: 'x' }, { path: '../x', type: '0', body: 'pwned' }], '../x: a ".." path component'],
    ['a nested ../ path', [{ path: 'a/../../x', type: '0', body: 'pwned' }], 'a ".." path component'],
    ['an absolute path', [{ path: '/tmp/sagespec-pwned', type: '0', body: 'pwned' }], 'an absolute path'],
    ['a symbolic link out', [{ path: 'out', type: '2', link: '../../in' }], 'outside the folder'],
    ['an absolute symbolic link', [{ path: 'etc', type: '2', link: '/etc' }], 'outside the folder'],
    ['a file written through a link out', [{ path: 'out', type: '2', link: '..' }, { path: 'out/x', type: '0', body: 'pwned' }], 'outside the folder'],
    ['a file written through an inside link', [{ path: 'd/', type: '5' }, { path: 'l', type: '2', link: 'd' }, { path: 'l/x', type: '0', body: 'y' }], 'goes through the symbolic link l'],
    ['a hard link out', [{ path: 'h', type: '1', link: '../in/model.tar.gz' }], 'outside the folder'],
  ]
  for (const [what, entries, reason] of hostile) {
    it(`refuses ${what} and writes nothing, inside or outside`, async () => {
      const { result, root } = await tryExtract(entries)
      expect(E.isLeft(result) && result.left).toContain(reason)
      expect(readdirSync(join(root, 'sandbox'))).toEqual([])
      expect(readdirSync(root).sort()).toEqual(['in', 'sandbox'])
      expect(readdirSync(join(root, 'in'))).toEqual(['model.tar.gz'])
      expect(existsSync('/tmp/sagespec-pwned')).toBe(false)
    })
  }

  it('refuses what is not a tar archive', async () => {
    const root = tempDir(dirs)
    writeFileSync(join(root, 'model.tar.gz'), 'not an archive at all, just text that is long enough to be read as a header '.repeat(10))
    const r = await safeExtract(join(root, 'model.tar.gz'), join(root, 'model'))
    expect(E.isLeft(r)).toBe(true)
  })

  it('names every kind of unsafe entry from the entries alone', () => {
    expect(unsafeEntries([{ path: 'dev', type: 'CharacterDevice' }])).toEqual(['dev: a CharacterDevice entry (only files, folders and links may be in an archive)'])
    expect(unsafeEntries([{ path: 'a/b', type: 'SymbolicLink', linkpath: '../c' }])).toEqual([])
    expect(unsafeEntries([{ path: 'a/b', type: 'SymbolicLink', linkpath: '../../c' }])).toHaveLength(1)
  })
})
