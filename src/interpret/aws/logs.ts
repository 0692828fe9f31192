/**
 * Job logs from CloudWatch Logs: SageMaker writes one stream per host, `<job>/<host>`, in
 * `/aws/sagemaker/TrainingJobs` or `/aws/sagemaker/TransformJobs`. Each call returns what is new since
 * the cursor (a forward token per stream); no group or stream yet is no lines yet.
 *
 * @since 0.2.0
 */
import { DescribeLogStreamsCommand, GetLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs'
import type { CallOptions, LogCursor, LogKind, LogLine } from '../execute/port.js'
import { clearly } from './config.js'

const LOG_GROUPS: { readonly [K in LogKind]: string } = {
  Training: '/aws/sagemaker/TrainingJobs',
  Transform: '/aws/sagemaker/TransformJobs',
}

/** Per stream, the token to read on from. */
export interface AwsLogCursor {
  readonly tokens: Readonly<Record<string, string>>
}

const isMissing = (e: unknown): boolean => typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'ResourceNotFoundException'

/** New lines of a job's log streams since `cursor`, oldest first. */
export const readLogs = async (
  logsClient: CloudWatchLogsClient,
  where: string,
  kind: LogKind,
  jobName: string,
  cursor: LogCursor | undefined,
  call: CallOptions = {},
): Promise<{ readonly lines: ReadonlyArray<LogLine>; readonly cursor: AwsLogCursor }> => {
  const group = LOG_GROUPS[kind]
  const tokens: Record<string, string> = { ...((cursor as AwsLogCursor | undefined)?.tokens ?? {}) }
  const opts = call.signal === undefined ? {} : { abortSignal: call.signal }
  const lines: LogLine[] = []
  try {
    const streams: string[] = []
    let next: string | undefined
    do {
      const page = await logsClient.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: `${jobName}/`, ...(next === undefined ? {} : { nextToken: next }) }), opts)
      for (const s of page.logStreams ?? []) if (s.logStreamName !== undefined) streams.push(s.logStreamName)
      next = page.nextToken
    } while (next !== undefined)
    for (const stream of streams.sort()) {
      const host = stream.slice(jobName.length + 1)
      for (;;) {
        const token = tokens[stream]
        const page = await logsClient.send(
          new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true, ...(token === undefined ? {} : { nextToken: token }) }),
          opts,
        )
        for (const ev of page.events ?? []) lines.push({ host, line: (ev.message ?? '').replace(/\n$/, ''), ...(ev.timestamp === undefined ? {} : { at: ev.timestamp }) })
        // The service answers the token it was given when there is nothing newer.
        const forward = page.nextForwardToken
        if (forward === undefined || forward === token) break
        tokens[stream] = forward
        if ((page.events ?? []).length === 0) break
      }
    }
  } catch (e) {
    // No log group or stream yet: the job has not written anything.
    if (!isMissing(e)) throw clearly(e, where)
  }
  const ordered = lines.every((l) => l.at !== undefined) ? [...lines].sort((a, b) => a.at! - b.at!) : lines
  return { lines: ordered, cursor: { tokens } satisfies AwsLogCursor }
}
