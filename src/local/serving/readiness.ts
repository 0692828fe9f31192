/**
 * Readiness of a serving container: `GET /ping` until it answers 200, each try with its own timeout
 * and a growing pause between tries — never a fixed sleep, so a fast container is used as soon as it
 * answers. A container that exits first, or never answers before the deadline, is an error value
 * carrying its last log lines.
 *
 * @since 0.2.0
 */
import * as http from 'node:http'
import * as E from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'

export type NotReady =
  | { readonly _tag: 'Exited'; readonly exitCode: number; readonly lastLines: ReadonlyArray<string> }
  | { readonly _tag: 'TimedOut'; readonly afterMs: number; readonly lastAnswer: string; readonly lastLines: ReadonlyArray<string> }

export interface ReadinessOptions {
  readonly port: number
  /** Resolves with the exit code if the container stops (a JobHandle's `exited`). */
  readonly exited: Promise<number>
  /** The container's latest output lines, for the error message. */
  readonly lastLines: () => ReadonlyArray<string>
  /** @default 120_000 */
  readonly deadlineMs?: number
  /** @default 2_000 */
  readonly requestTimeoutMs?: number
  /** First pause between tries, doubled each time up to `maxBackoffMs`. @default 5 */
  readonly backoffMs?: number
  /** @default 250 */
  readonly maxBackoffMs?: number
}

export type Ping = { readonly ok: true } | { readonly ok: false; readonly answer: string }

/** One `GET /ping`: ok on 200, else what came back (a status, or the connection error's code). */
export const ping = (port: number, timeoutMs: number): Promise<Ping> =>
  new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/ping', agent: false, timeout: timeoutMs }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode === 200 ? { ok: true } : { ok: false, answer: `HTTP ${res.statusCode}` }))
    })
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, answer: e.code ?? e.message }))
  })

/** Wait until the container answers `/ping`; the elapsed milliseconds when it does. */
export const waitReady = async (o: ReadinessOptions): Promise<Either<NotReady, number>> => {
  const started = Date.now()
  const deadline = started + (o.deadlineMs ?? 120_000)
  let exitCode: number | undefined
  void o.exited.then((code) => (exitCode = code))
  let pause = o.backoffMs ?? 5
  let lastAnswer = 'not tried'
  for (;;) {
    if (exitCode !== undefined) return E.left({ _tag: 'Exited', exitCode, lastLines: o.lastLines() })
    const left = deadline - Date.now()
    if (left <= 0) return E.left({ _tag: 'TimedOut', afterMs: Date.now() - started, lastAnswer, lastLines: o.lastLines() })
    const r = await ping(o.port, Math.min(o.requestTimeoutMs ?? 2_000, left))
    if (r.ok) return E.right(Date.now() - started)
    lastAnswer = r.answer
    // Wake early if the container exits during the pause.
    await Promise.race([new Promise((res) => setTimeout(res, Math.min(pause, Math.max(0, deadline - Date.now())))), o.exited])
    pause = Math.min(pause * 2, o.maxBackoffMs ?? 250)
  }
}

/** The sentence a failed step shows. */
export const describeNotReady = (what: string, e: NotReady): string => {
  const lines = e.lastLines.length === 0 ? ' (it printed nothing)' : `; its last lines:\n${e.lastLines.map((l) => `  ${l}`).join('\n')}`
  return e._tag === 'Exited'
    ? `${what} exited with code ${e.exitCode} before answering GET /ping${lines}`
    : `${what} did not answer GET /ping with 200 within ${Math.round(e.afterMs / 1000)} s (last: ${e.lastAnswer})${lines}`
}
