import { afterAll, describe, expect, it } from 'vitest'
import * as http from 'node:http'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describeTransformError, resolveSettings, runTransform } from '../../../src/local/transform/engine.js'
import { containerInvoke, executionParameters, manifestInputs, prefixInputs } from '../../../src/local/transform/io.js'
import { cleanupDirs, modelDir, startContainer, tempDir, type FakeContainer } from '../serving/support.js'

const dirs: string[] = []
const started: FakeContainer[] = []
const agent = new http.Agent({ keepAlive: true })
afterAll(async () => {
  agent.destroy()
  await Promise.all(started.splice(0).map((c) => c.stop()))
  cleanupDirs(dirs)
})

// Sums each CSV row with the model server's default CSV handlers; fails on a negative number.
const SUM = `
def model_fn(model_dir):
    def predict(rows):
        for r in rows:
            if any(x < 0 for x in r):
                raise ValueError("negative input %s" % r)
        return [sum(r) for r in rows]
    return predict
`

describe('batch transform against a model server process', () => {
  it('writes <output>/<input name>.out for every input file, honouring /execution-parameters', async () => {
    const root = tempDir(dirs)
    const c = await startContainer(modelDir(root, 'model', SUM), { SAGESPEC_MAX_CONCURRENT_TRANSFORMS: '2', SAGESPEC_MAX_PAYLOAD_IN_MB: '1' })
    started.push(c)
    const input = join(root, 'in')
    mkdirSync(join(input, 'day=2'), { recursive: true })
    writeFileSync(join(input, 'a.csv'), '1,2\n3,4\n')
    writeFileSync(join(input, 'day=2', 'b.csv'), '10,20,30\n')
    const params = await executionParameters(c.port)
    expect(params).toEqual({ MaxConcurrentTransforms: 2, BatchStrategy: 'MULTI_RECORD', MaxPayloadInMB: 1 })
    const settings = resolveSettings({ SplitType: 'Line', ContentType: 'text/csv', Accept: 'text/csv', AssembleWith: 'Line' }, params)
    expect(settings).toMatchObject({ batchStrategy: 'MultiRecord', maxConcurrentTransforms: 2, maxPayloadInMB: 1 })
    const inputs = prefixInputs(`${input}/`)
    if (E.isLeft(inputs)) throw new Error(inputs.left)
    expect(inputs.right.map((f) => f.name)).toEqual(['a.csv', 'day=2/b.csv'])
    const out = join(root, 'out')
    const r = await runTransform(settings, containerInvoke(c.port, agent), inputs.right, out)
    expect(E.isRight(r)).toBe(true)
    expect(readFileSync(join(out, 'a.csv.out'), 'utf8')).toBe('3\n7\n')
    expect(readFileSync(join(out, 'day=2', 'b.csv.out'), 'utf8')).toBe('60\n')
  })

  it('reports the failing record with its file and line', async () => {
    const root = tempDir(dirs)
    const c = await startContainer(modelDir(root, 'model', SUM))
    started.push(c)
    writeFileSync(join(root, 'data.csv'), '1,2\n3,-4\n5,6\n')
    const settings = resolveSettings({ SplitType: 'Line', BatchStrategy: 'SingleRecord', ContentType: 'text/csv', Accept: 'text/csv', AssembleWith: 'Line' }, undefined)
    const r = await runTransform(settings, containerInvoke(c.port, agent), [{ name: 'data.csv', path: join(root, 'data.csv') }], join(root, 'out'))
    expect(E.isLeft(r) && describeTransformError(r.left)).toBe('the model failed on record 2 (line 2) of data.csv with status 500: ValueError: negative input [3, -4]')
  })

  it('lists the inputs of a prefix that is not a folder, and of a manifest', () => {
    const root = tempDir(dirs)
    mkdirSync(join(root, 'in', 'sub'), { recursive: true })
    for (const f of ['part-1.csv', 'part-2.csv', 'other.csv', 'sub/part-3.csv']) writeFileSync(join(root, 'in', f), 'x\n')
    const byPrefix = prefixInputs(join(root, 'in', 'part'))
    expect(E.isRight(byPrefix) && byPrefix.right.map((f) => f.name)).toEqual(['part-1.csv', 'part-2.csv'])
    writeFileSync(join(root, 'm.json'), JSON.stringify([{ prefix: 's3://bucket/in/' }, 'other.csv', 'sub/part-3.csv']))
    const listed = manifestInputs(join(root, 'm.json'), () => join(root, 'in'))
    expect(E.isRight(listed) && listed.right).toEqual([
      { name: 'other.csv', path: join(root, 'in', 'other.csv') },
      { name: 'sub/part-3.csv', path: join(root, 'in', 'sub', 'part-3.csv') },
    ])
    writeFileSync(join(root, 'bad.json'), JSON.stringify([{ prefix: 's3://bucket/in/' }, '../../etc/passwd']))
    expect(E.isLeft(manifestInputs(join(root, 'bad.json'), () => root))).toBe(true)
  })
})
