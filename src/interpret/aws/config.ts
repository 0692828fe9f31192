/**
 * What the AWS clients are configured with: the command line's profile, region and attempts; the
 * SDK's own endpoint variables (read here only to know when S3 needs path-style addressing); how
 * often a running job is polled; and errors that are not the service's, said in one line.
 *
 * @since 0.2.0
 */
import { serviceError } from '../plan/operations.js'
import type { Backend } from '../execute/port.js'
import type { TargetOptions } from '../execute/target.js'

export type Env = Readonly<Record<string, string | undefined>>

/** The endpoint the SDK will use for a service, when the environment overrides it (`S3`, `SAGEMAKER`…). */
export const endpointOverride = (service: string, env: Env = process.env): string | undefined => {
  if (/^true$/i.test(env['AWS_IGNORE_CONFIGURED_ENDPOINT_URLS'] ?? '')) return undefined
  const v = env[`AWS_ENDPOINT_URL_${service}`] ?? env['AWS_ENDPOINT_URL']
  return v === undefined || v === '' ? undefined : v
}

/**
 * How often to poll a job that is running. Real jobs take minutes, so 2 s growing to 30 s;
 * `SAGESPEC_AWS_POLL_MS=initial[,max]` changes it (tests against a local emulator use tens of ms).
 */
export const pollPolicy = (env: Env = process.env): Backend['poll'] => {
  const m = /^(\d+)(?:,(\d+))?$/.exec(env['SAGESPEC_AWS_POLL_MS'] ?? '')
  if (m === null) return { initialMs: 2_000, maxMs: 30_000 }
  const initialMs = Number(m[1])
  return { initialMs, maxMs: Math.max(initialMs, m[2] === undefined ? 30_000 : Number(m[2])) }
}

/**
 * What a client that retries by itself takes from the command line (S3 — staging, lib-storage's parts
 * — and CloudWatch Logs: nothing above them retries); the rest is the SDK's own resolution.
 */
export const clientConfig = (options: Pick<TargetOptions, 'region' | 'profile' | 'maxAttempts'>) => ({
  ...(options.region === undefined ? {} : { region: options.region }),
  ...(options.profile === undefined ? {} : { profile: options.profile }),
  ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
})

/**
 * What the SageMaker clients take: one attempt per send. Their retries are the caller's policy
 * (`sendRetrying`, with `--max-attempts` as `Backend.maxAttempts`), so attempts never multiply.
 */
export const singleAttemptConfig = (options: Pick<TargetOptions, 'region' | 'profile'>) => ({ ...clientConfig(options), maxAttempts: 1 })

// -------------------------------------------------------------------------------------
// errors
// -------------------------------------------------------------------------------------

const hasFault = (e: unknown): boolean => typeof e === 'object' && e !== null && '$fault' in e

/**
 * SDK service exceptions pass through (the executor maps them by name and fault). What is not one —
 * no credentials, no region, an endpoint that does not answer — becomes one line saying what to do.
 */
export const clearly = (e: unknown, where: string): unknown => {
  if (!(e instanceof Error)) return e
  const first = e.message.split('\n')[0]!
  // An answer that is not the service's (an HTML error page from a proxy, an emulator's missing
  // operation): the SDK cannot parse it and says so on a second line.
  const status = (e as { $response?: { statusCode?: unknown } }).$response?.statusCode
  if (typeof status === 'number' && /Deserialization error/.test(e.message))
    return serviceError('UnexpectedResponse', `${where} answered HTTP ${status} with a body that is not an AWS response (${first})`, status >= 500 ? 'server' : 'client')
  if (hasFault(e)) return first === e.message ? e : serviceError(e.name, first, (e as { $fault?: 'client' | 'server' }).$fault)
  if (e.name === 'AbortError') return e
  if (e.name === 'CredentialsProviderError' || /credential/i.test(e.message))
    return serviceError('NoCredentials', `no AWS credentials (${first}): set AWS_PROFILE or --profile, run "aws sso login", or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`)
  if (/region is missing/i.test(e.message)) return serviceError('NoRegion', 'no AWS region: pass --region, or set AWS_REGION or a region in your profile')
  const code = (e as { code?: unknown }).code
  if (typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH)$/.test(code))
    // Marked retryable, as the SDK's own strategy treats these codes: the executor's policy, which
    // alone retries SageMaker calls, tries again within --max-attempts.
    return Object.assign(serviceError('Unreachable', `cannot reach ${where} (${code}: ${first}); check the network, or AWS_ENDPOINT_URL if it is set`), { $retryable: {} })
  return e
}
