/**
 * moto, an independent implementation of the S3, SageMaker, SageMaker Runtime and CloudWatch Logs
 * APIs, started on a free loopback port for the tests that need it and stopped after them. Without
 * moto (outside CI) such tests are skipped with the reason; in CI they must run, so a missing moto
 * is an error there.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

export const freePort = (): Promise<number> =>
  new Promise((res, rej) => {
    const s = createServer()
    s.once('error', rej)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => res(port))
    })
  })

/** Why moto tests cannot run here, or undefined when they can. Throws in CI. */
export const motoSkipReason = (): string | undefined => {
  const r = spawnSync('python3', ['-c', 'import moto, flask'], { encoding: 'utf8' })
  if (r.status === 0) return undefined
  const reason = `moto is not installed for the python3 on PATH (python3 -c 'import moto' failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`
  if (process.env['CI'] === 'true') throw new Error(`${reason}; CI must run the moto tests, so this is an error, not a skip.`)
  return reason
}

export interface Moto {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string
  readonly port: number
  /** The environment an SDK client (or the CLI) needs to talk to it. */
  readonly env: Readonly<Record<string, string>>
  readonly stop: () => Promise<void>
}

/** Start moto on a free loopback port and wait until it answers. */
export const startMoto = async (): Promise<Moto> => {
  const port = await freePort()
  const child: ChildProcess = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  const endpoint = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 30_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto exited with ${child.exitCode}: ${stderr}`)
    try {
      const r = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) })
      if (r.status < 500) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`moto did not answer on ${endpoint} within 30 s: ${stderr}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    endpoint,
    port,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-west-2',
      AWS_DEFAULT_REGION: 'us-west-2',
    },
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null) return res()
        child.once('exit', () => res())
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 3000).unref()
      }),
  }
}
