import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { contentTypeOf, predictCommand, type PredictDeps } from '../../src/cli/predict.js'
import { modelError, scriptedBackend, type Script } from '../support/scripted-backend.js'

const dir = mkdtempSync(join(tmpdir(), 'sagespec-cli-predict-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const serving = async (script: Script = {}) => {
  const b = scriptedBackend({ polls: () => 0, ...script })
  await b.send('CreateEndpointConfig', { EndpointConfigName: 'c', ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'm' }, { VariantName: 'B', ModelName: 'm' }] })
  await b.send('CreateEndpoint', { EndpointName: 'serve', EndpointConfigName: 'c' })
  await b.send('DescribeEndpoint', { EndpointName: 'serve' })
  return b
}

const cli = async (backend: Awaited<ReturnType<typeof serving>>, args: string[], deps: PredictDeps = {}) => {
  const out: string[] = []
  const err: string[] = []
  const written: Uint8Array[] = []
  const status = await predictCommand(args, { out: (s) => void out.push(s), err: (s) => void err.push(s), write: (b) => void written.push(b) }, { connect: async () => backend, ...deps })
  return { status, out, err: err.join('\n'), bytes: Buffer.concat(written) }
}

describe('sagespec predict', () => {
  it('sends the file and writes the answer to standard output byte for byte', async () => {
    const answer = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x00, 0xff, 0x0a])
    const b = await serving({ invoke: () => ({ Body: answer, ContentType: 'application/x-npy' }) })
    const file = join(dir, 'rows.csv')
    writeFileSync(file, '1,2,3\n4,5,6\n')
    const r = await cli(b, ['serve', '--data', file, '--target', 'aws'])
    expect(r).toStrictEqual({ status: 0, out: [], err: '', bytes: Buffer.from(answer) })
    const sent = b.calls.find((c) => c.op === 'InvokeEndpoint')!.input
    expect({ ...sent, Body: Buffer.from(sent.Body).toString() }).toStrictEqual({ EndpointName: 'serve', Body: '1,2,3\n4,5,6\n', ContentType: 'text/csv', Accept: '*/*' })
  })

  it('reads standard input with --data -, and takes the content type, accept and variant given', async () => {
    const b = await serving()
    const r = await cli(b, ['serve', '--data', '-', '--content-type', 'application/json', '--accept', 'application/json', '--target-variant', 'B', '--target', 'local'], {
      stdin: async () => new TextEncoder().encode('{"instances":[1]}'),
    })
    expect(r.status).toBe(0)
    expect(r.bytes.toString()).toBe('{"instances":[1]}')
    expect(b.calls.find((c) => c.op === 'InvokeEndpoint')!.input).toMatchObject({ ContentType: 'application/json', Accept: 'application/json', TargetVariant: 'B' })
  })

  it("shows a container's error with its own message, and exits 1", async () => {
    const log = 'arn:aws:logs:us-west-2:111122223333:log-group:/aws/sagemaker/Endpoints/serve:log-stream:AllTraffic/i-0abc'
    const b = await serving({
      invoke: () => {
        throw modelError(415, 'This predictor only supports CSV data', log)
      },
    })
    const file = join(dir, 'x.json')
    writeFileSync(file, '{}')
    const r = await cli(b, ['serve', '--data', file, '--target', 'aws'])
    expect(r).toStrictEqual({ status: 1, out: [], bytes: Buffer.alloc(0), err: `endpoint serve: the model's container answered 415: This predictor only supports CSV data (its log: ${log})` })
  })

  it('names what is wrong with the command line, or the file', async () => {
    const b = await serving()
    const none = await cli(b, ['serve', '--target', 'aws'])
    expect(none.status).toBe(2)
    expect(none.err.split('\n')[0]).toBe('--data is required (a file, or - for standard input)')
    const missing = await cli(b, ['serve', '--data', join(dir, 'nope.csv'), '--target', 'aws'])
    expect(missing).toMatchObject({ status: 2, err: `--data ${join(dir, 'nope.csv')}: no such file` })
    expect(b.calls.filter((c) => c.op === 'InvokeEndpoint')).toStrictEqual([])
  })

  it('guesses the content type from the extension', () => {
    expect(['a.csv', 'a.JSON', 'a.npy', 'a.bin', 'a'].map(contentTypeOf)).toStrictEqual(['text/csv', 'application/json', 'application/x-npy', 'application/octet-stream', 'application/octet-stream'])
  })
})
