/**
 * `sagespec endpoints list|describe <name>|delete <name> [--with-models]|update-weights <name>
 * --variant A=0.2 --variant B=0.8 [--instances A=2] --target aws|local`: the endpoints a run left
 * serving, on either target.
 *
 * @since 0.2.0
 */
import * as E from 'fp-ts/lib/Either.js'
import { call, describeCallError, waitFor, type CallError } from '../interpret/execute/calls.js'
import type { Input } from '../interpret/plan/operations.js'
import { deleteEndpoint, describeEndpoint, listEndpoints, type DeleteEvent, type EndpointDetails, type EndpointSummary } from '../interpret/endpoints/manage.js'
import type { Io } from './compile.js'
import { readTargetFlags, table, TARGET_FLAGS, TARGET_USAGE, withBackend, type CommandDeps } from './targets.js'
import { parseCommand } from './args.js'

export const usage = `Usage: sagespec endpoints list --target aws|local [options]
       sagespec endpoints describe <endpoint> --target aws|local [options]
       sagespec endpoints delete <endpoint> [--with-models] --target aws|local [options]
       sagespec endpoints update-weights <endpoint> --variant NAME=WEIGHT… [--instances NAME=COUNT…]
                                         --target aws|local [options]

Lists the endpoints, describes one (status and the variants of its config), deletes one (the
endpoint, waiting until it is gone, then its endpoint config, and with --with-models the models
that config serves), or changes its variants' traffic weights and instance counts in place
(UpdateEndpointWeightsAndCapacities), waiting until it is InService again.

Options:
${TARGET_USAGE}
  --with-models               delete: also delete the config's models
  --variant NAME=WEIGHT       update-weights: the variant's new traffic weight (repeat per variant)
  --instances NAME=COUNT      update-weights: the variant's new instance count (repeat per variant)
  --format text|json          list and describe: json prints the service's answer`

const iso = (d: Date | string | undefined): string => (d === undefined ? '' : d instanceof Date ? d.toISOString() : String(d))

export const listText = (endpoints: ReadonlyArray<EndpointSummary>): string =>
  endpoints.length === 0
    ? 'No endpoints.'
    : table(
        ['NAME', 'STATUS', 'CREATED', 'MODIFIED'],
        endpoints.map((e) => [e.EndpointName ?? '', e.EndpointStatus ?? '', iso(e.CreationTime), iso(e.LastModifiedTime)]),
      )

type Variant = NonNullable<NonNullable<EndpointDetails['config']>['ProductionVariants']>[number]

const capacity = (v: Variant): string =>
  v.ServerlessConfig !== undefined
    ? `serverless ${v.ServerlessConfig.MemorySizeInMB} MB × ${v.ServerlessConfig.MaxConcurrency}`
    : `${v.InitialInstanceCount ?? '?'} × ${v.InstanceType ?? '?'}`

export const describeText = ({ endpoint, config }: EndpointDetails): string => {
  const fields: Array<[string, string | undefined]> = [
    ['ARN', endpoint.EndpointArn],
    ['Config', endpoint.EndpointConfigName],
    ['Created', endpoint.CreationTime === undefined ? undefined : iso(endpoint.CreationTime)],
    ['Modified', endpoint.LastModifiedTime === undefined ? undefined : iso(endpoint.LastModifiedTime)],
    ['Failure', endpoint.FailureReason],
  ]
  const lines = [`Endpoint ${endpoint.EndpointName}: ${endpoint.EndpointStatus}`, ...fields.flatMap(([k, v]) => (v === undefined || v === '' ? [] : [`  ${k.padEnd(9)}${v}`]))]
  if (config === undefined) return [...lines, `Its endpoint config ${endpoint.EndpointConfigName ?? ''} is gone.`].join('\n')
  // What the endpoint runs now, beside what its config asked for.
  const live = new Map((endpoint.ProductionVariants ?? []).map((v) => [v.VariantName, v]))
  const rows = [...(config.ProductionVariants ?? []).map((v) => ['', v] as const), ...(config.ShadowProductionVariants ?? []).map((v) => [' (shadow)', v] as const)].map(
    ([shadow, v]) => {
      const now = live.get(v.VariantName)
      return [
        `${v.VariantName ?? ''}${shadow}`,
        v.ModelName ?? '',
        capacity(v),
        String(v.InitialVariantWeight ?? 1),
        now === undefined ? '' : `${now.CurrentInstanceCount ?? '?'} instance${now.CurrentInstanceCount === 1 ? '' : 's'}, weight ${now.CurrentWeight ?? '?'}`,
      ]
    },
  )
  return [...lines, `Variants (${config.EndpointConfigName}):`, ...table(['VARIANT', 'MODEL', 'CAPACITY', 'WEIGHT', 'NOW'], rows).split('\n').map((l) => `  ${l}`)].join('\n')
}

export const deleteLine = (e: DeleteEvent): string => {
  switch (e._tag) {
    case 'DeleteSent':
      return `${e.what} ${e.name}: deleting`
    case 'Deleted':
      return `${e.what} ${e.name}: deleted`
    case 'AlreadyGone':
      return `${e.what} ${e.name}: already gone`
  }
}

const failure = (io: Io, e: CallError, name?: string): number => {
  if (e._tag === 'Interrupted') {
    io.err(`Interrupted. The delete goes on in the service; run the same command again to finish it.`)
    return 130
  }
  io.err(e._tag === 'NotFound' && name !== undefined ? `no endpoint "${name}" (sagespec endpoints list shows the endpoints there)` : describeCallError(e))
  return 1
}

type Desired = NonNullable<Input<'UpdateEndpointWeightsAndCapacities'>['DesiredWeightsAndCapacities']>

/** `NAME=WEIGHT` and `NAME=COUNT` flags as the request's list, one entry per variant; or the problems. */
export const desiredOf = (weights: ReadonlyArray<string>, counts: ReadonlyArray<string>): E.Either<ReadonlyArray<string>, Desired> => {
  const problems: string[] = []
  const byVariant = new Map<string, { VariantName: string; DesiredWeight?: number; DesiredInstanceCount?: number }>()
  const read = (flag: string, values: ReadonlyArray<string>, ok: (n: number) => boolean, expected: string, set: (d: { DesiredWeight?: number; DesiredInstanceCount?: number }, n: number) => void): void => {
    for (const v of values) {
      const m = /^([^=]+)=(.+)$/.exec(v)
      const n = m === null ? NaN : Number(m[2])
      if (m === null || !ok(n)) {
        problems.push(`--${flag} ${v}: expected NAME=${expected}`)
        continue
      }
      const name = m[1]!
      const d = byVariant.get(name) ?? { VariantName: name }
      set(d, n)
      byVariant.set(name, d)
    }
  }
  read('variant', weights, (n) => Number.isFinite(n) && n >= 0, 'WEIGHT (a number ≥ 0)', (d, n) => (d.DesiredWeight = n))
  read('instances', counts, (n) => Number.isInteger(n) && n >= 1, 'COUNT (a whole number ≥ 1)', (d, n) => (d.DesiredInstanceCount = n))
  if (problems.length === 0 && byVariant.size === 0) problems.push('update-weights needs at least one --variant NAME=WEIGHT or --instances NAME=COUNT')
  return problems.length > 0 ? E.left(problems) : E.right([...byVariant.values()])
}

export const endpointsCommand = async (args: ReadonlyArray<string>, io: Io, deps: CommandDeps = {}): Promise<number> => {
  const parsed = parseCommand(
    args,
    {
      ...TARGET_FLAGS,
      'with-models': { type: 'boolean' },
      format: { type: 'string', default: 'text' },
      variant: { type: 'string', multiple: true },
      instances: { type: 'string', multiple: true },
    },
    usage,
    io,
  )
  if (!parsed.ok) return parsed.code
  const v = parsed.values
  const [verb, name, ...rest] = parsed.positionals
  const problems: string[] = []
  const shape = verb === 'list' ? name === undefined : (verb === 'describe' || verb === 'delete' || verb === 'update-weights') && name !== undefined && rest.length === 0
  if (!shape) problems.push('expected: list, describe <endpoint>, delete <endpoint> or update-weights <endpoint>')
  if (v['with-models'] && verb !== 'delete') problems.push('--with-models goes with delete')
  const desired = verb === 'update-weights' ? desiredOf(v.variant ?? [], v.instances ?? []) : E.right([])
  if (E.isLeft(desired)) problems.push(...desired.left)
  if (verb !== 'update-weights' && (v.variant !== undefined || v.instances !== undefined)) problems.push('--variant and --instances go with update-weights')
  if (v.format !== 'text' && v.format !== 'json') problems.push(`unknown --format "${v.format}" (expected text or json)`)
  const chosen = readTargetFlags(v)
  if (!chosen.ok) problems.push(...chosen.problems)
  if (problems.length > 0 || !chosen.ok) {
    io.err(`${problems.join('\n')}\n\n${usage}`)
    return 2
  }
  const json = v.format === 'json'

  return withBackend(io, chosen.target, chosen.options, deps, async (backend, signal) => {
    if (verb === 'list') {
      const r = await listEndpoints(backend, signal)
      if (E.isLeft(r)) return failure(io, r.left)
      io.out(json ? JSON.stringify(r.right, null, 2) : listText(r.right))
      return 0
    }
    if (verb === 'describe') {
      const r = await describeEndpoint(backend, name!, signal)
      if (E.isLeft(r)) return failure(io, r.left, name)
      io.out(json ? JSON.stringify({ Endpoint: r.right.endpoint, EndpointConfig: r.right.config }, null, 2) : describeText(r.right))
      return 0
    }
    if (verb === 'update-weights') {
      const sent = await call(backend, 'UpdateEndpointWeightsAndCapacities', { EndpointName: name!, DesiredWeightsAndCapacities: E.isRight(desired) ? [...desired.right] : [] }, signal)
      if (E.isLeft(sent)) return failure(io, sent.left, name)
      io.out(`${name}: updating`)
      const settled = await waitFor(
        backend,
        name!,
        async () => {
          const d = await call(backend, 'DescribeEndpoint', { EndpointName: name! }, signal)
          return E.isLeft(d) ? d : E.right(d.right.EndpointStatus === 'Updating' ? undefined : d.right)
        },
        { signal, ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }), ...(deps.random === undefined ? {} : { random: deps.random }) },
      )
      if (E.isLeft(settled)) return failure(io, settled.left, name)
      const d = settled.right
      const weights = (d.ProductionVariants ?? []).map((pv) => `${pv.VariantName} weight ${pv.CurrentWeight ?? '?'}, ${pv.CurrentInstanceCount ?? '?'} instance${pv.CurrentInstanceCount === 1 ? '' : 's'}`)
      io.out(`${name}: ${d.EndpointStatus}${d.FailureReason === undefined ? '' : ` (${d.FailureReason})`}\n${weights.map((w) => `  ${w}`).join('\n')}`)
      return d.EndpointStatus === 'InService' && d.FailureReason === undefined ? 0 : 1
    }
    const r = await deleteEndpoint(backend, name!, {
      withModels: v['with-models'] === true,
      signal,
      ...(deps.sleep === undefined ? {} : { sleep: deps.sleep }),
      ...(deps.random === undefined ? {} : { random: deps.random }),
      onEvent: (e) => io.out(deleteLine(e)),
    })
    return E.isLeft(r) ? failure(io, r.left, name) : 0
  })
}
