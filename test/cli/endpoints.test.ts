import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { endpointsCommand } from '../../src/cli/endpoints.js'
import { listEndpoints } from '../../src/interpret/endpoints/manage.js'
import { noSleep, scriptedBackend, type Script, type ScriptedBackend } from '../support/scripted-backend.js'

/** Two endpoints in service: `serve` (one variant) and `canary` (two variants, a shadow). */
const seeded = async (script: Script = {}): Promise<ScriptedBackend> => {
  const b = scriptedBackend({ polls: () => 0, ...script })
  for (const m of ['churn-r1', 'churn-r2']) await b.send('CreateModel', { ModelName: m })
  await b.send('CreateEndpointConfig', {
    EndpointConfigName: 'serve-config-r1',
    ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'churn-r1', InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 }],
  })
  await b.send('CreateEndpointConfig', {
    EndpointConfigName: 'canary-config',
    ProductionVariants: [
      { VariantName: 'main', ModelName: 'churn-r1', InstanceType: 'ml.c5.xlarge', InitialInstanceCount: 2, InitialVariantWeight: 9 },
      { VariantName: 'small', ModelName: 'churn-r2', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 }, InitialVariantWeight: 1 },
    ],
    ShadowProductionVariants: [{ VariantName: 'mirror', ModelName: 'churn-r2', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
  })
  await b.send('CreateEndpoint', { EndpointName: 'serve', EndpointConfigName: 'serve-config-r1' })
  await b.send('CreateEndpoint', { EndpointName: 'canary', EndpointConfigName: 'canary-config' })
  for (const e of ['serve', 'canary']) await b.send('DescribeEndpoint', { EndpointName: e })
  b.calls.length = 0
  return b
}

const cli = async (backend: ScriptedBackend, ...args: string[]) => {
  const out: string[] = []
  const err: string[] = []
  const targets: string[] = []
  const status = await endpointsCommand([...args, ...(args.includes('--target') ? [] : ['--target', 'aws'])], { out: (s) => void out.push(s), err: (s) => void err.push(s) }, {
    connect: async (target) => {
      targets.push(target)
      return backend
    },
    sleep: noSleep,
    random: () => 0.5,
  })
  return { status, out: out.join('\n'), err: err.join('\n'), targets }
}

describe('sagespec endpoints', () => {
  it('list: every endpoint, newest first, from the target chosen', async () => {
    const b = await seeded()
    const r = await cli(b, 'list', '--target', 'local')
    expect(r).toStrictEqual({
      status: 0,
      err: '',
      targets: ['local'],
      out: ['NAME    STATUS     CREATED                   MODIFIED', 'canary  InService  2026-01-01T00:00:05.000Z  2026-01-01T00:00:05.000Z', 'serve   InService  2026-01-01T00:00:04.000Z  2026-01-01T00:00:04.000Z'].join('\n'),
    })
    expect(JSON.parse((await cli(b, 'list', '--format', 'json')).out).map((e: { EndpointName: string }) => e.EndpointName)).toStrictEqual(['canary', 'serve'])
    expect((await cli(scriptedBackend(), 'list')).out).toBe('No endpoints.')
  })

  it('list reads every page', async () => {
    const b = scriptedBackend({ polls: () => 0 })
    for (let i = 0; i < 230; i++) await b.send('CreateEndpoint', { EndpointName: `e${i}`, EndpointConfigName: 'c' })
    const all = await listEndpoints(b)
    expect(E.isRight(all) && all.right.length).toBe(230)
    expect(E.isRight(all) && all.right[0]!.EndpointName).toBe('e229')
    expect(b.calls.filter((c) => c.op === 'ListEndpoints').map((c) => c.input.NextToken)).toStrictEqual([undefined, '100', '200'])
  })

  it("describe: the endpoint and its config's variants, beside what runs now", async () => {
    const live = { CreationTime: new Date('2026-01-01T00:00:05Z'), ProductionVariants: [{ VariantName: 'main', CurrentInstanceCount: 2, CurrentWeight: 9 }, { VariantName: 'small', CurrentInstanceCount: 1, CurrentWeight: 1 }] }
    const r = await cli(await seeded({ annotate: (family, name) => (family === 'endpoint' && name === 'canary' ? live : undefined) }), 'describe', 'canary')
    expect(r.status).toBe(0)
    expect(r.out).toBe(
      [
        'Endpoint canary: InService',
        '  ARN      arn:aws:sagemaker:us-west-2:111122223333:endpoint/canary',
        '  Config   canary-config',
        '  Created  2026-01-01T00:00:05.000Z',
        'Variants (canary-config):',
        '  VARIANT          MODEL     CAPACITY                WEIGHT  NOW',
        '  main             churn-r1  2 × ml.c5.xlarge        9       2 instances, weight 9',
        '  small            churn-r2  serverless 2048 MB × 5  1       1 instance, weight 1',
        '  mirror (shadow)  churn-r2  1 × ml.m5.large         1',
      ].join('\n'),
    )
    const json = JSON.parse((await cli(await seeded(), 'describe', 'serve', '--format', 'json')).out)
    expect([json.Endpoint.EndpointName, json.EndpointConfig.ProductionVariants[0].ModelName]).toStrictEqual(['serve', 'churn-r1'])
  })

  it('delete: the endpoint (waiting until it is gone), then its config; models only with --with-models', async () => {
    const b = await seeded({ deletePolls: () => 3 })
    const r = await cli(b, 'delete', 'canary')
    expect(r).toMatchObject({ status: 0, err: '', out: ['endpoint canary: deleting', 'endpoint canary: deleted', 'endpoint config canary-config: deleted'].join('\n') })
    // Deleting for three polls, then not found: the wait asked until it was gone, and no longer.
    expect(b.calls.map((c) => c.op)).toStrictEqual([
      'DescribeEndpoint',
      'DescribeEndpointConfig',
      'DeleteEndpoint',
      'DescribeEndpoint',
      'DescribeEndpoint',
      'DescribeEndpoint',
      'DescribeEndpoint',
      'DeleteEndpointConfig',
    ])
    expect([...b.resources.keys()].sort()).toStrictEqual(['config/serve-config-r1', 'endpoint/serve', 'model/churn-r1', 'model/churn-r2'])

    const w = await cli(b, 'delete', 'serve', '--with-models')
    expect(w.out).toBe(['endpoint serve: deleting', 'endpoint serve: deleted', 'endpoint config serve-config-r1: deleted', 'model churn-r1: deleted'].join('\n'))
    expect([...b.resources.keys()]).toStrictEqual(['model/churn-r2'])
  })

  it('delete finishes what is left when run again, and says what was gone already', async () => {
    const b = await seeded()
    await b.send('DeleteEndpointConfig', { EndpointConfigName: 'serve-config-r1' })
    const r = await cli(b, 'delete', 'serve', '--with-models')
    expect(r.out).toBe(['endpoint serve: deleting', 'endpoint serve: deleted', 'endpoint config serve-config-r1: already gone'].join('\n'))
  })

  it('an unknown endpoint is named, with where to look; bad usage exits 2 and says why', async () => {
    const b = await seeded()
    expect(await cli(b, 'describe', 'nope')).toMatchObject({ status: 1, out: '', err: 'no endpoint "nope" (sagespec endpoints list shows the endpoints there)' })
    expect(await cli(b, 'delete', 'nope')).toMatchObject({ status: 1, err: 'no endpoint "nope" (sagespec endpoints list shows the endpoints there)' })
    const bad = await cli(b, 'describe', '--with-models', '--target', 'gcp')
    expect(bad.status).toBe(2)
    expect(bad.err.split('\n').slice(0, 3)).toStrictEqual(['expected: list, describe <endpoint>, delete <endpoint> or update-weights <endpoint>', '--with-models goes with delete', 'unknown --target "gcp" (expected aws or local)'])
    expect(bad.targets).toStrictEqual([])
  })

  it('an interrupted delete says the service goes on and how to finish', async () => {
    const b = await seeded({ deletePolls: () => 1000 })
    const controller = new AbortController()
    const out: string[] = []
    const err: string[] = []
    const status = await endpointsCommand(['delete', 'serve', '--target', 'aws'], { out: (s) => void out.push(s), err: (s) => void err.push(s) }, {
      connect: async () => b,
      sleep: async () => {
        controller.abort()
      },
      signal: controller.signal,
    })
    expect(status).toBe(130)
    expect(out).toStrictEqual(['endpoint serve: deleting'])
    expect(err).toStrictEqual(['Interrupted. The delete goes on in the service; run the same command again to finish it.'])
  })
})
