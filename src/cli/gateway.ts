/**
 * `sagespec gateway`: the local SageMaker Runtime gateway in the foreground. Commands that create
 * local endpoints start it in the background themselves (`ensureGateway`); run it by hand to watch
 * its log or to pin its port.
 *
 * @since 0.2.0
 */
import { resolve } from 'node:path'
import { startGateway, type Gateway } from '../local/serving/gateway.js'
import { clearGatewayRecord, readGatewayRecord, writeGatewayRecord } from '../local/serving/daemon.js'
import type { Io } from './compile.js'
import { parseCommand } from './args.js'

export const usage = `Usage: sagespec gateway [--state-dir DIR] [--port N] [--idle-exit-ms MS] [--seed N]

Serves every local endpoint of the state folder (default .sagespec) on one loopback port, with the
SageMaker Runtime API: POST /endpoints/<name>/invocations. Point the AWS SDK or boto3 at the URL it
prints (AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME). It keeps the port it had last time when that port is
free, and exits after --idle-exit-ms (default 5000; 0 = never) without any endpoint.`

const integer = (name: string, text: string | undefined): number | string | undefined => {
  if (text === undefined) return undefined
  const n = Number(text)
  return Number.isInteger(n) && n >= 0 ? n : `--${name} must be a whole number ≥ 0, got "${text}"`
}

export const gatewayCommand = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const parsed = parseCommand(
    args,
    {
      'state-dir': { type: 'string', default: '.sagespec' },
      port: { type: 'string' },
      'idle-exit-ms': { type: 'string', default: '5000' },
      seed: { type: 'string' },
    },
    usage,
    io,
  )
  if (!parsed.ok) return parsed.code
  const stateDir = resolve(parsed.values['state-dir']!)
  const port = integer('port', parsed.values.port)
  const idle = integer('idle-exit-ms', parsed.values['idle-exit-ms'])
  const seed = integer('seed', parsed.values.seed)
  for (const v of [port, idle, seed]) {
    if (typeof v === 'string') {
      io.err(v)
      return 2
    }
  }
  const options = {
    stateDir,
    ...(typeof idle === 'number' && idle > 0 ? { idleExitMs: idle } : {}),
    ...(typeof seed === 'number' ? { seed } : {}),
  }
  let gateway: Gateway
  const previous = readGatewayRecord(stateDir)?.port
  try {
    gateway = await startGateway({ ...options, port: (port as number | undefined) ?? previous ?? 0 })
  } catch (e) {
    // The last port is taken now: any free one will do, unless the user asked for that port.
    if (port !== undefined || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
      io.err(`the gateway cannot listen: ${(e as Error).message}`)
      return 1
    }
    gateway = await startGateway({ ...options, port: 0 })
  }
  writeGatewayRecord(stateDir, { pid: process.pid, port: gateway.port, url: gateway.url, startedAt: new Date().toISOString() })
  io.out(`sagespec gateway for ${stateDir} at ${gateway.url}`)
  const stop = (): void => void gateway.close()
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  await gateway.closed
  process.off('SIGTERM', stop)
  process.off('SIGINT', stop)
  clearGatewayRecord(stateDir, process.pid)
  io.out('sagespec gateway closed')
  return 0
}
