/**
 * The run targets every backend-driven command shares: their names, the flags that choose and
 * configure one (`--target`, `--runtime`, `--state-dir`, `--profile`, `--region`, `--max-attempts`),
 * and the lazy load of the chosen target's module, so `sagespec run`, `endpoints`, `predict`,
 * `tuning` and `attach` all reach AWS or this machine the same way.
 *
 * @since 0.2.0
 */
import { resolve } from 'node:path'
import type { Backend } from '../interpret/execute/port.js'
import type { TargetModule, TargetOptions } from '../interpret/execute/target.js'
import type { Io } from './compile.js'

export type TargetName = 'aws' | 'local'

const TARGETS: { readonly [K in TargetName]: () => Promise<TargetModule> } = {
  aws: async () => (await import('../interpret/aws/index.js')).target,
  local: async () => (await import('../local/index.js')).target,
}

export const isTargetName = (s: string): s is TargetName => Object.prototype.hasOwnProperty.call(TARGETS, s)

/** The target's module, loaded only when chosen. */
export const loadTarget = (name: TargetName): Promise<TargetModule> => TARGETS[name]()

/** How a command gets its backend; tests pass an in-memory one. */
export type Connect = (target: TargetName, options: TargetOptions) => Promise<Backend>

export const connect: Connect = async (name, options) => (await loadTarget(name)).createBackend(options)

/** The `parseArgs` options that choose and configure a target. */
export const TARGET_FLAGS = {
  target: { type: 'string' },
  runtime: { type: 'string' },
  'state-dir': { type: 'string', default: '.sagespec' },
  profile: { type: 'string' },
  region: { type: 'string' },
  'max-attempts': { type: 'string' },
} as const

export const TARGET_USAGE = `  --target aws|local          where the work is (required)
  --runtime docker|process    local only: containers, or host processes
  --state-dir DIR             where journals and local state live (default .sagespec)
  --profile NAME              AWS: a profile of the shared config files
  --region REGION             AWS: the region (default: the SDK's resolution)
  --max-attempts N            AWS: attempts per call, throttling and faults included (default 3)`

export interface TargetFlagValues {
  readonly target?: string | undefined
  readonly runtime?: string | undefined
  readonly 'state-dir'?: string | undefined
  readonly profile?: string | undefined
  readonly region?: string | undefined
  readonly 'max-attempts'?: string | undefined
}

/** The chosen target and its options, or every problem with the flags (each names the fix). */
export const readTargetFlags = (
  v: TargetFlagValues,
  extra: Partial<TargetOptions> = {},
): { readonly ok: true; readonly target: TargetName; readonly options: TargetOptions } | { readonly ok: false; readonly problems: ReadonlyArray<string> } => {
  const problems: string[] = []
  if (v.target === undefined) problems.push('--target is required (aws or local)')
  else if (!isTargetName(v.target)) problems.push(`unknown --target "${v.target}" (expected aws or local)`)
  if (v.runtime !== undefined && v.runtime !== 'docker' && v.runtime !== 'process') problems.push(`unknown --runtime "${v.runtime}" (expected docker or process)`)
  if (v.runtime !== undefined && v.target === 'aws') problems.push('--runtime is for --target local')
  const maxAttempts = v['max-attempts'] === undefined ? undefined : Number(v['max-attempts'])
  if (maxAttempts !== undefined && (!Number.isInteger(maxAttempts) || maxAttempts < 1)) problems.push(`--max-attempts: expected a whole number of at least 1, got "${v['max-attempts']}"`)
  if (problems.length > 0 || v.target === undefined || !isTargetName(v.target)) return { ok: false, problems }
  return {
    ok: true,
    target: v.target,
    options: {
      stateDir: resolve(v['state-dir'] ?? '.sagespec'),
      baseDir: process.cwd(),
      ...(v.runtime === undefined ? {} : { runtime: v.runtime as 'docker' | 'process' }),
      ...(v.profile === undefined ? {} : { profile: v.profile }),
      ...(v.region === undefined ? {} : { region: v.region }),
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
      ...extra,
    },
  }
}

/** What a backend-driven command takes from outside; tests pass an in-memory backend and no sleeps. */
export interface CommandDeps {
  /** @default the target's own backend */
  readonly connect?: Connect
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly random?: () => number
  readonly now?: () => Date
  /** Ends waits as Ctrl-C does. */
  readonly signal?: AbortSignal
}

/**
 * Connect, hand the backend to `use`, and close it whatever happens. Ctrl-C (or `deps.signal`)
 * aborts the signal `use` gets, so a wait ends cleanly; a second Ctrl-C exits at once.
 */
export const withBackend = async (
  io: Io,
  target: TargetName,
  options: TargetOptions,
  deps: CommandDeps,
  use: (backend: Backend, signal: AbortSignal) => Promise<number>,
): Promise<number> => {
  let backend: Backend
  try {
    backend = await (deps.connect ?? connect)(target, options)
  } catch (e) {
    io.err(`--target ${target}: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  }
  const controller = new AbortController()
  const onAbort = () => controller.abort()
  deps.signal?.addEventListener('abort', onAbort, { once: true })
  let interrupts = 0
  const onSigint = () => {
    if (++interrupts > 1) process.exit(130)
    controller.abort()
  }
  process.on('SIGINT', onSigint)
  try {
    return await use(backend, controller.signal)
  } finally {
    process.off('SIGINT', onSigint)
    deps.signal?.removeEventListener('abort', onAbort)
    await backend.close()
  }
}

/** Rows under a header, columns padded to their widest cell (the last one left ragged). */
export const table = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()
  return [line(head), ...rows.map(line)].join('\n')
}
