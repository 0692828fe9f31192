/**
 * `sagespec endpoints list|describe|delete --target local`: the local endpoints of a state folder,
 * which outlive the `sagespec run` that created them (as cloud endpoints do) until deleted here.
 *
 * @since 0.2.0
 */
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { Backend } from '../interpret/execute/port.js'
import { readGatewayRecord } from '../local/serving/daemon.js'
import type { Io } from './compile.js'

export const usage = `Usage: sagespec endpoints list [--target local] [--state-dir DIR] [--format text|json]
       sagespec endpoints describe <name> [--target local] [--state-dir DIR] [--format text|json]
       sagespec endpoints delete <name> [--target local] [--state-dir DIR] [--runtime docker|process]

The local endpoints of the state folder (default .sagespec) and where the gateway serves them
(POST <gateway>/endpoints/<name>/invocations). Delete stops an endpoint's containers or processes;
the gateway exits by itself once no endpoint is left.`

export const endpointsCommand = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  let parsed
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        target: { type: 'string', default: 'local' },
        'state-dir': { type: 'string', default: '.sagespec' },
        runtime: { type: 'string' },
        format: { type: 'string', default: 'text' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${usage}`)
    return 2
  }
  const v = parsed.values
  if (v.help) {
    io.out(usage)
    return 0
  }
  const [verb, name, ...rest] = parsed.positionals
  const problems: string[] = []
  if (v.target !== 'local') problems.push(`--target ${v.target}: only local endpoints are listed here (cloud endpoints: the SageMaker console or aws sagemaker list-endpoints)`)
  if (v.runtime !== undefined && v.runtime !== 'docker' && v.runtime !== 'process') problems.push(`unknown --runtime "${v.runtime}" (expected docker or process)`)
  if (v.format !== 'text' && v.format !== 'json') problems.push(`unknown --format "${v.format}" (expected text or json)`)
  const shape = (verb === 'list' && name === undefined) || ((verb === 'describe' || verb === 'delete') && name !== undefined && rest.length === 0)
  if (!shape) problems.push(`expected list, describe <name> or delete <name>`)
  if (problems.length > 0) {
    io.err(`${problems.join('\n')}\n\n${usage}`)
    return 2
  }
  const stateDir = resolve(v['state-dir']!)
  const { target } = await import('../local/index.js')
  let backend: Backend
  try {
    backend = await target.createBackend({ stateDir, baseDir: process.cwd(), ...(v.runtime === undefined ? {} : { runtime: v.runtime as 'docker' | 'process' }) })
  } catch (e) {
    io.err((e as Error).message)
    return 1
  }
  const json = v.format === 'json'
  const gateway = readGatewayRecord(stateDir)?.url
  try {
    if (verb === 'list') {
      const all = []
      let token: string | undefined
      do {
        const page = await backend.send('ListEndpoints', { MaxResults: 100, ...(token === undefined ? {} : { NextToken: token }) })
        all.push(...(page.Endpoints ?? []))
        token = page.NextToken
      } while (token !== undefined)
      if (json) io.out(JSON.stringify({ gateway, endpoints: all }, null, 2))
      else if (all.length === 0) io.out(`No local endpoints in ${stateDir}.`)
      else {
        for (const e of all) io.out(`${e.EndpointName}  ${e.EndpointStatus}  created ${e.CreationTime?.toISOString() ?? '?'}`)
        if (gateway !== undefined) io.out(`Gateway: ${gateway} (AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME=${gateway})`)
      }
      return 0
    }
    if (verb === 'describe') {
      const d = await backend.send('DescribeEndpoint', { EndpointName: name })
      if (json) io.out(JSON.stringify({ ...d, ...(gateway === undefined ? {} : { InvocationsUrl: `${gateway}/endpoints/${name}/invocations` }) }, null, 2))
      else {
        io.out(`${d.EndpointName}: ${d.EndpointStatus} (config ${d.EndpointConfigName})${d.FailureReason === undefined ? '' : ` — ${d.FailureReason}`}`)
        for (const pv of d.ProductionVariants ?? []) io.out(`  ${pv.VariantName}: weight ${pv.CurrentWeight}, ${pv.CurrentInstanceCount} instance(s)`)
        if (gateway !== undefined) io.out(`  POST ${gateway}/endpoints/${name}/invocations`)
      }
      return 0
    }
    await backend.send('DeleteEndpoint', { EndpointName: name })
    io.out(`Deleted local endpoint ${name}.`)
    return 0
  } catch (e) {
    io.err((e as Error).message)
    return 1
  } finally {
    await backend.close()
  }
}
