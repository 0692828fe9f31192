import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { create } from 'tar'
import { afterAll, describe, expect, it } from 'vitest'
import { packFolder, safeExtract, unsafeEntries } from '../../src/local/archive.js'
import { manifestItems, shard } from '../../src/local/channels.js'
import { logBuffers, notifier } from '../../src/local/context.js'
import { toCmdArgs } from '../../src/local/runtime/process.js'
import { failureReason, metricReader } from '../../src/local/training.js'
import { parseLocation } from '../../src/local/storage.js'
import { localBackend, tempDir } from './support.js'
import { isNotFound } from '../../src/interpret/plan/operations.js'

const root = tempDir('units')
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('the toolkit conventions', () => {
  it("prints hyperparameters as the toolkit's to_cmd_args: sorted, Python's str of the decoded JSON", () => {
    expect(toCmdArgs({ lr: '1e-05', epochs: '10', x: '2.50', flag: 'false', name: '"resnet"', plain: 'not json', layers: '[64, 32]', opts: '{"b": 2, "a": "x"}' })).toEqual([
      '--epochs', '10', '--flag', 'False', '--layers', '[64, 32]', '--lr', '1e-05', '--name', 'resnet', '--opts', 'a=x,b=2', '--plain', 'not json', '-x', '2.5',
    ])
  })
})

describe('archives', () => {
  it('says why an entry is unsafe: absolute paths, "..", links out of the folder', () => {
    const why = (path: string, type: string, linkpath?: string) => unsafeEntries([{ path, type, ...(linkpath === undefined ? {} : { linkpath }) }])
    expect(why('a/b.txt', 'File')).toEqual([])
    expect(why('a/link', 'SymbolicLink', '../b.txt')).toEqual([])
    expect(why('/etc/passwd', 'File')[0]).toMatch(/absolute path/)
    expect(why('a/../../x', 'File')[0]).toMatch(/\.\./)
    expect(why('a/link', 'SymbolicLink', '../../etc')[0]).toMatch(/outside the folder/)
    expect(why('link', 'SymbolicLink', '/etc/passwd')[0]).toMatch(/outside the folder/)
    expect(why('hard', 'Link', '../x')[0]).toMatch(/outside the folder/)
    expect(why('dev', 'CharacterDevice')[0]).toMatch(/only files, folders and links/)
  })

  it('refuses an archive with a link out of the folder as a whole: nothing is written', async () => {
    const src = join(root, 'links')
    mkdirSync(src, { recursive: true })
    writeFileSync(join(src, 'ok.txt'), 'ok')
    symlinkSync('/etc', join(src, 'etc'))
    const file = join(root, 'links.tar.gz')
    await create({ gzip: true, file, cwd: src }, ['ok.txt', 'etc'])
    const target = join(root, 'links-out')
    const r = await safeExtract(file, target)
    expect(r).toEqual(E.left(`${file} is refused, it would write outside ${target}: etc: a link to "/etc", outside the folder`))
    expect(existsSync(join(target, 'ok.txt'))).toBe(false)
  })

  it('packs a folder with its contents at the root, and an empty folder as an empty archive', async () => {
    const src = join(root, 'model')
    mkdirSync(join(src, 'd'), { recursive: true })
    writeFileSync(join(src, 'd', 'w.bin'), 'w')
    await packFolder(src, join(root, 'm.tar.gz'))
    const back = join(root, 'back')
    expect(await safeExtract(join(root, 'm.tar.gz'), back)).toEqual(E.right(undefined))
    expect(existsSync(join(back, 'd', 'w.bin'))).toBe(true)
    mkdirSync(join(root, 'empty'))
    await packFolder(join(root, 'empty'), join(root, 'e.tar.gz'))
    expect(await safeExtract(join(root, 'e.tar.gz'), join(root, 'e-back'))).toEqual(E.right(undefined))
  })
})

describe('channels', () => {
  it('shards objects across hosts in key order, each object on exactly one host', () => {
    const keys = ['a', 'b', 'c', 'd', 'e']
    expect([0, 1].map((i) => shard(keys, i, 2))).toEqual([['a', 'c', 'e'], ['b', 'd']])
    expect([0, 1, 2].flatMap((i) => shard(keys, i, 3)).sort()).toEqual(keys)
  })

  it('reads a manifest, and refuses entries that leave the prefix', () => {
    const ok = manifestItems(JSON.stringify([{ prefix: 's3://b/p/' }, 'x.csv', 'd/y.csv']), root)
    expect(E.isRight(ok) && ok.right.map((i) => [i.relative, i.location])).toEqual([
      ['x.csv', { _tag: 'S3', bucket: 'b', key: 'p/x.csv' }],
      ['d/y.csv', { _tag: 'S3', bucket: 'b', key: 'p/d/y.csv' }],
    ])
    expect(manifestItems(JSON.stringify([{ prefix: 's3://b/p/' }, '../secret']), root)).toEqual(E.left('manifest entry "../secret": expected a relative key without ".."'))
    expect(E.isLeft(manifestItems('[]', root))).toBe(true)
  })

  it('reads file:// URIs as absolute or relative to the program folder', () => {
    expect(parseLocation('file:///data/x', root)).toEqual({ _tag: 'File', path: '/data/x' })
    expect(parseLocation('file://data/x', '/base')).toEqual({ _tag: 'File', path: '/base/data/x' })
    expect(parseLocation('s3://bucket/a/b', root)).toEqual({ _tag: 'S3', bucket: 'bucket', key: 'a/b' })
    expect(parseLocation('https://x', root)).toBeUndefined()
  })
})

describe('metrics and failures', () => {
  it("keeps each definition's last value, accepts Python's named groups, and ignores what does not parse as a number", () => {
    const m = metricReader([{ Name: 'loss', Regex: 'loss: (?P<v>[0-9.e-]+)' }, { Name: 'bad', Regex: '([' }], () => new Date(0))
    for (const l of ['loss: 0.5', 'loss: nan?', 'loss: 1e-3', 'other']) m.line(l)
    expect(m.final()).toEqual([{ MetricName: 'loss', Value: 0.001, Timestamp: new Date(0) }])
  })

  it('reads an OOM kill as out of memory, and prefers the failure file to the exit code', () => {
    expect(failureReason([{ host: 'algo-1', exitCode: 137, oomKilled: true }], () => undefined, [])).toBe(
      'OutOfMemoryError: algo-1 was killed (exit code 137) because it ran out of memory. Use an instance type with more memory, or process less data per host.',
    )
    expect(failureReason([{ host: 'algo-1', exitCode: 0, oomKilled: false }, { host: 'algo-2', exitCode: 1, oomKilled: false }], (h) => (h === 'algo-2' ? 'bad input\n' : undefined), [])).toBe('AlgorithmError: bad input')
    expect(failureReason([{ host: 'algo-1', exitCode: 0, oomKilled: false }], () => 'ignored', [])).toBeUndefined()
  })
})

describe('the notifier', () => {
  it('wakes a waiter at once on notify, and only waiters of that name', async () => {
    const n = notifier()
    let a = false
    let b = false
    const pa = n.changed('a', 60_000).then(() => (a = true))
    void n.changed('b', 50).then(() => (b = true))
    n.notify('a')
    await pa
    expect(a).toBe(true)
    expect(b).toBe(false)
  })
})

describe('local models', () => {
  it('creates, describes and deletes a model; a missing one is "not found" as SageMaker says it', async () => {
    const local = localBackend()
    try {
      const container = { Image: 'img:1', ModelDataUrl: 'file://out/m/output/model.tar.gz' }
      const { ModelArn } = await local.backend.send('CreateModel', { ModelName: 'm1', PrimaryContainer: container, ExecutionRoleArn: 'arn:aws:iam::1:role/r' })
      expect(ModelArn).toBe('arn:aws:sagemaker:us-west-2:000000000000:model/m1')
      const d = await local.backend.send('DescribeModel', { ModelName: 'm1' })
      expect(d).toMatchObject({ ModelName: 'm1', ModelArn, PrimaryContainer: container, ExecutionRoleArn: 'arn:aws:iam::1:role/r' })
      expect(d.CreationTime).toBeInstanceOf(Date)
      await local.backend.send('DeleteModel', { ModelName: 'm1' })
      const e = await local.backend.send('DescribeModel', { ModelName: 'm1' }).catch((x: unknown) => x)
      expect(isNotFound(e)).toBe(true)
      expect((e as Error).message).toBe('Could not find model "arn:aws:sagemaker:us-west-2:000000000000:model/m1".')
      const unsupported = await local.backend.send('CreateEndpoint', { EndpointName: 'e', EndpointConfigName: 'c' }).catch((x: unknown) => x)
      expect(unsupported).toMatchObject({ name: 'ValidationException', message: 'CreateEndpoint is not supported by the local backend yet' })
    } finally {
      await local.close()
    }
  })
})

describe('model archives', () => {
  it('are reproducible: the same files give the same bytes, whatever their times and creation order', async () => {
    const make = (name: string, order: ReadonlyArray<string>) => {
      const dir = join(root, name)
      for (const f of order) {
        mkdirSync(join(dir, f, '..'), { recursive: true })
        writeFileSync(join(dir, f), f)
      }
      return dir
    }
    const a = make('repro-a', ['z.txt', 'a/b.txt', 'a/a.txt'])
    const b = make('repro-b', ['a/a.txt', 'a/b.txt', 'z.txt'])
    utimesSync(join(b, 'z.txt'), new Date('2020-01-01'), new Date('2020-01-01'))
    await packFolder(a, join(root, 'ra.tar.gz'))
    await packFolder(b, join(root, 'rb.tar.gz'))
    expect(readFileSync(join(root, 'ra.tar.gz'))).toEqual(readFileSync(join(root, 'rb.tar.gz')))
  })
})

describe('log buffers', () => {
  it('keep the last lines of a chatty job, and cursors still count from its first line', () => {
    const logs = logBuffers(3)
    for (let i = 0; i < 10; i++) logs.append('j', { host: 'algo-1', line: `l${i}` })
    const first = logs.read('j', 0)
    expect(first.cursor).toBe(10)
    expect(first.lines.map((l) => l.line)).toEqual(['l4', 'l5', 'l6', 'l7', 'l8', 'l9'])
    logs.append('j', { host: 'algo-1', line: 'l10' })
    expect(logs.read('j', first.cursor)).toEqual({ lines: [{ host: 'algo-1', line: 'l10' }], cursor: 11 })
    expect(logs.read('other', 0)).toEqual({ lines: [], cursor: 0 })
  })
})
