/**
 * Local serving benchmark, every comparison side by side in one run (ratios printed, never asserted):
 *
 *  1. predict throughput vs HTTP straight to the container (keep-alive, CSV, the same concurrency),
 *     rounds alternated, two paths reported apart:        goal ≥ 0.9×
 *     - the library's predictor on the local backend, which routes in process (the gateway's own
 *       routing code) and posts straight to the container;
 *     - through the gateway process, the path of the AWS SDK, boto3 and curl.
 *  2. deploy → first prediction through the gateway vs the container's own time to answer /ping
 *     (spawn → 200), with the gateway already up and with the gateway started by the deploy; goal ≤ 1.2×
 *  3. batch transform with the engine vs posting the same mini-batches straight to the container:
 *     10,000 CSV lines one record a request, and 100,000 lines in MultiRecord batches; goal ≤ 1.2×
 *
 *   npx tsx bench/gateway.ts
 *
 * The container is sagespec's stdlib model server (the process runtime's), with a CSV model.
 */
import { spawn } from 'node:child_process'
import * as http from 'node:http'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as E from 'fp-ts/lib/Either.js'
import { ensureGateway, stopGateway } from '../src/local/serving/daemon.js'
import { waitReady } from '../src/local/serving/readiness.js'
import { deleteEndpoint, putEndpoint } from '../src/local/serving/registry.js'
import { prepare, resolveSettings, transformBytes } from '../src/local/transform/engine.js'
import { containerInvoke } from '../src/local/transform/io.js'
import { createLocalBackend } from '../src/local/backend.js'
import { createContext } from '../src/local/context.js'
import { endpointHandlers } from '../src/local/endpoints.js'
import { processRuntime } from '../src/local/runtime/process.js'
import { MAX_PAYLOAD_BYTES } from '../src/local/serving/invoke.js'
import { upstream } from '../src/local/serving/upstream.js'
import { predictor } from '../src/interpret/predict/predictor.js'

const SERVER = fileURLToPath(new URL('../src/local/serving/model_server.py', import.meta.url))
const root = mkdtempSync(join(tmpdir(), 'sagespec-bench-'))
const state = join(root, 'state')
const model = join(root, 'model')
mkdirSync(join(model, 'code'), { recursive: true })
writeFileSync(join(model, 'code', 'inference.py'), 'def model_fn(model_dir):\n    return lambda rows: [sum(r) for r in rows]\n')

interface Proc {
  readonly port: number
  readonly kill: () => Promise<void>
}

/** Start the model server on port 0; `started` is when the process was spawned. */
const startServer = (): Promise<Proc & { readonly started: number; readonly exited: Promise<number> }> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn('python3', ['-u', SERVER], { env: { ...process.env, SM_MODEL_DIR: model, SAGEMAKER_BIND_TO_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)))
    let out = ''
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString()
      const m = /127\.0\.0\.1:(\d+)/.exec(out)
      if (m !== null) {
        child.stdout.removeAllListeners('data')
        child.stdout.resume()
        resolve({
          port: Number(m[1]),
          started,
          exited,
          kill: async () => {
            child.kill('SIGTERM')
            await exited
          },
        })
      }
    })
    void exited.then((c) => reject(new Error(`model server exited ${c}`)))
  })

const post = (agent: http.Agent, port: number, path: string, body: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path, agent, headers: { 'content-type': 'text/csv', accept: 'text/csv', 'content-length': body.length } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}: ${Buffer.concat(chunks)}`))))
      },
    )
    req.on('error', reject)
    req.end(body)
  })

/** Requests per second for `total` calls of `f`, `concurrency` at a time. */
const loop = async (total: number, concurrency: number, f: () => Promise<void>): Promise<number> => {
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) await f()
    }),
  )
  return total / ((performance.now() - t0) / 1000)
}

/** Requests per second for `total` requests, `concurrency` at a time. */
const throughput = async (port: number, path: string, total: number, concurrency: number): Promise<number> => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency })
  const body = Buffer.from('1.5,2.5,3.5,4.5\n')
  let next = 0
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) await post(agent, port, path, body)
    }),
  )
  const s = (performance.now() - t0) / 1000
  agent.destroy()
  return total / s
}

/** BENCH_SECTIONS=predict,deploy,transform (default: all) runs only those. */
const sections = process.env['BENCH_SECTIONS']?.split(',')
const run = (name: string): boolean => sections === undefined || sections.includes(name)

const ROUNDS = 15
const PER_ROUND = 400

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (n: number, d = 0): string => n.toFixed(d)

const main = async (): Promise<void> => {
  const server = await startServer()
  try {
    // ---------------------------------------------------------------- 1. throughput
    if (run('predict')) {
      putEndpoint(state, { name: 'bench', variants: [{ name: 'AllTraffic', weight: 1, containers: [{ name: 'primary', addresses: [{ port: server.port }] }] }] })
      const gw = await ensureGateway(state, { idleExitMs: 60_000 })
      if (E.isLeft(gw)) throw new Error(gw.left)
      const gport = gw.right.port
      // The library's predictor on the local backend: routing in this process, straight to the container.
      const backend = createLocalBackend(
        createContext({ stateDir: state, baseDir: root, runtime: processRuntime({ dir: join(state, 'local', 'processes') }), region: 'us-west-2', stopGraceMs: 1000 }),
        [endpointHandlers],
      )
      const pred = predictor('bench', { backend, contentType: 'text/csv', accept: 'text/csv' })
      const raw = upstream(MAX_PAYLOAD_BYTES)
      const body = Buffer.from('1.5,2.5,3.5,4.5\n')
      const rawRequest = { path: '/invocations', headers: [['Content-Type', 'text/csv'], ['Accept', 'text/csv']] as Array<readonly [string, string]>, body }
      const ways: ReadonlyArray<readonly [string, (total: number, concurrency: number) => Promise<number>]> = [
        ['direct', (n, c) => throughput(server.port, '/invocations', n, c)],
        ['gateway', (n, c) => throughput(gport, '/endpoints/bench/invocations', n, c)],
        ['predictor', (n, c) => loop(n, c, async () => {
          const r = await pred.invoke(body)
          if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
        })],
        ['direct-raw', (n, c) => loop(n, c, async () => {
          const r = await raw.post(server.port, rawRequest)
          if (r._tag !== 'Answered' || r.status !== 200) throw new Error(JSON.stringify(r))
        })],
      ]
      for (const [, f] of ways) await f(300, 4) // warm-up
      for (const concurrency of [1, 4]) {
        const got = new Map<string, number[]>(ways.map(([k]) => [k, []]))
        // Short rounds, many of them, the ways taking turns: a burst of other load lands on all alike.
      for (let round = 0; round < ROUNDS; round++) for (const [k, f] of ways) got.get(k)!.push(await f(PER_ROUND, concurrency))
        const m = (k: string): number => median(got.get(k)!)
        const d = m('direct')
        const line = (what: string, k: string, base = d, baseName = 'direct'): void =>
          console.log(`  ${what}: ${fmt(m(k))} req/s vs ${baseName} ${fmt(base)} req/s → ${fmt(m(k) / base, 2)}×`)
        console.log(`predict, keep-alive CSV, ${concurrency} in flight (median of ${ROUNDS} alternated rounds of ${PER_ROUND}; goal ≥ 0.9×; "direct" = Node http.request keep-alive straight to the container):`)
        line('sagespec predictor (in-process routing) vs direct', 'predictor')
        line('through the gateway (AWS SDK/boto3/curl path) vs direct', 'gateway')
        line('sagespec predictor vs direct with its own raw-socket client', 'predictor', m('direct-raw'), 'direct-raw')
      }
      raw.close()
      await backend.close()
    }

    // ---------------------------------------------------------------- 2. deploy → first prediction
    if (run('deploy')) {
      const pingTimes: number[] = []
      const deployWarm: number[] = []
      for (let i = 0; i < 5; i++) {
        // The container alone: spawn → /ping 200.
        const a = await startServer()
        const ready = await waitReady({ port: a.port, exited: a.exited, lastLines: () => [], backoffMs: 1, maxBackoffMs: 20 })
        if (E.isLeft(ready)) throw new Error('not ready')
        pingTimes.push(performance.now() - a.started)
        await a.kill()
        // A deploy: spawn → ready → registered → first prediction answered by the (running) gateway.
        const b = await startServer()
        const ok = await waitReady({ port: b.port, exited: b.exited, lastLines: () => [] })
        if (E.isLeft(ok)) throw new Error('not ready')
        putEndpoint(state, { name: `deploy-${i}`, variants: [{ name: 'AllTraffic', weight: 1, containers: [{ name: 'primary', addresses: [{ port: b.port }] }] }] })
        const g = await ensureGateway(state)
        if (E.isLeft(g)) throw new Error(g.left)
        await post(new http.Agent(), g.right.port, `/endpoints/deploy-${i}/invocations`, Buffer.from('1,2\n'))
        deployWarm.push(performance.now() - b.started)
        deleteEndpoint(state, `deploy-${i}`)
        await b.kill()
      }
      const p = median(pingTimes)
      const w = median(deployWarm)
      console.log(`deploy → first prediction (gateway up): ${fmt(w)} ms vs the container's own /ping ${fmt(p)} ms → ${fmt(w / p, 2)}× (goal ≤ 1.2×; median of 5)`)

      // Cold: no gateway yet, so the deploy starts it, beside the container (as the backend does).
      const coldState = join(root, 'cold')
      const c = await startServer()
      const starting = ensureGateway(coldState)
      const cready = await waitReady({ port: c.port, exited: c.exited, lastLines: () => [] })
      if (E.isLeft(cready)) throw new Error('not ready')
      putEndpoint(coldState, { name: 'cold', variants: [{ name: 'AllTraffic', weight: 1, containers: [{ name: 'primary', addresses: [{ port: c.port }] }] }] })
      const cg = await starting
      if (E.isLeft(cg)) throw new Error(cg.left)
      await post(new http.Agent(), cg.right.port, '/endpoints/cold/invocations', Buffer.from('1,2\n'))
      const cold = performance.now() - c.started
      console.log(`deploy → first prediction (the deploy starts the gateway beside the container): ${fmt(cold)} ms vs /ping ${fmt(p)} ms → ${fmt(cold / p, 2)}×`)
      await stopGateway(coldState)
      await c.kill()
    }

    // ---------------------------------------------------------------- 3. batch transform
    if (run('transform')) {
      const csv = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => `${i},${i % 7},${(i * 3) % 11},${i % 5}\n`).join(''))
      const agent = new http.Agent({ keepAlive: true })
      // MultiRecord over 100,000 lines (about 20 ms of its own at 10,000 lines, the ratio was noise).
      const cases = [
        ['10,000 CSV lines, SingleRecord (10,000 requests)', 'SingleRecord', csv(10_000)],
        ['100,000 CSV lines, MultiRecord within 1 MB', 'MultiRecord', csv(100_000)],
      ] as const
      for (const [what, strategy, input] of cases) {
        const settings = resolveSettings({ SplitType: 'Line', BatchStrategy: strategy, MaxPayloadInMB: 1, MaxConcurrentTransforms: 2, ContentType: 'text/csv', Accept: 'text/csv', AssembleWith: 'Line' }, undefined)
        const prepared = prepare(settings, undefined)('bench.csv', input)
        if (E.isLeft(prepared)) throw new Error('prepare')
        const bodies = prepared.right.batches.map((b) => b.body)
        // The same bodies, posted 2 at a time and concatenated in order: the floor the engine is held to.
        const straight = async (): Promise<number> => {
          const t0 = performance.now()
          let next = 0
          const out: Buffer[] = new Array<Buffer>(bodies.length)
          await Promise.all(
            [0, 1].map(async () => {
              for (let i = next++; i < bodies.length; i = next++) out[i] = await post(agent, server.port, '/invocations', bodies[i]!)
            }),
          )
          Buffer.concat(out)
          return performance.now() - t0
        }
        const engine = async (): Promise<number> => {
          const t0 = performance.now()
          const r = await transformBytes(settings, containerInvoke(server.port, agent))('bench.csv', input)
          if (E.isLeft(r)) throw new Error('transform failed')
          return performance.now() - t0
        }
        await straight()
        await engine()
        const ts: number[] = []
        const te: number[] = []
        for (let round = 0; round < 5; round++) {
          ts.push(await straight())
          te.push(await engine())
        }
        const s = median(ts)
        const e = median(te)
        console.log(`batch transform, ${what}, 2 concurrent: engine ${fmt(e)} ms vs the same bodies posted straight ${fmt(s)} ms → ${fmt(e / s, 2)}× (goal ≤ 1.2×; median of 5)`)
      }
      agent.destroy()
    }

  } finally {
    deleteEndpoint(state, 'bench')
    await stopGateway(state)
    await server.kill()
    rmSync(root, { recursive: true, force: true })
  }
}

await main()
