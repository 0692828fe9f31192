/**
 * What a person watching `sagespec run` sees. Off a terminal (CI, a pipe): one plain line per event.
 * On a terminal: the same lines scroll, and below them a compact block shows every step's current
 * status and how long it has taken, redrawn in place.
 *
 * @since 0.2.0
 */
import type { RunEvent } from '../interpret/execute/executor.js'
import { showProgress } from '../interpret/tuning/progress.js'

export interface View {
  readonly event: (e: RunEvent) => void
  readonly close: () => void
}

/** Plain lines: one per event a person cares about (`line` decides which). */
export const lineView = (say: (s: string) => void, line: (e: RunEvent) => string | undefined): View => ({
  event: (e) => {
    const s = line(e)
    if (s !== undefined) say(s)
  },
  close: () => undefined,
})

interface Row {
  status: string
  detail: string
  started?: number
  ended?: number
}

const ESC = '\u001b['
const clip = (s: string, width: number) => (s.length > width ? `${s.slice(0, Math.max(0, width - 1))}…` : s)
const elapsed = (r: Row, now: number) => (r.started === undefined ? '' : `${Math.round(((r.ended ?? now) - r.started) / 1000)}s`)

/** Scrolling lines above a status block redrawn in place; the block is left on screen at the end. */
export const ttyView = (out: NodeJS.WriteStream, line: (e: RunEvent) => string | undefined, now: () => number = Date.now): View => {
  const rows = new Map<string, Row>()
  let drawn = 0
  const block = (): string[] => {
    const width = Math.max(40, out.columns ?? 100)
    const nameWidth = Math.min(28, Math.max(4, ...[...rows.keys()].map((k) => k.length)))
    return [...rows.entries()].map(([name, r]) =>
      clip(`  ${name.padEnd(nameWidth)}  ${r.status.padEnd(11)} ${elapsed(r, now()).padStart(6)}  ${r.detail}`, width - 1),
    )
  }
  const redraw = (scroll: ReadonlyArray<string>) => {
    let s = drawn > 0 ? `${ESC}${drawn}F${ESC}0J` : ''
    for (const l of scroll) s += `${l}\n`
    const b = block()
    for (const l of b) s += `${l}\n`
    drawn = b.length
    out.write(s)
  }
  const timer = setInterval(() => redraw([]), 1000)
  timer.unref()
  const row = (step: string): Row => {
    let r = rows.get(step)
    if (r === undefined) rows.set(step, (r = { status: 'Pending', detail: '' }))
    return r
  }
  return {
    event: (e) => {
      switch (e._tag) {
        case 'RunStarted':
          for (const s of e.steps) row(s)
          break
        case 'StepStarted': {
          const r = row(e.step)
          r.status = 'Starting'
          r.detail = e.physicalName
          r.started = now()
          break
        }
        case 'StepReused': {
          const r = row(e.step)
          r.status = 'Reused'
          r.detail = e.physicalName
          break
        }
        case 'StatusChanged': {
          const r = row(e.step)
          r.status = e.status
          if (e.secondary !== undefined) r.detail = `${e.secondary}${e.message === undefined || e.message === '' ? '' : ` — ${e.message}`}`
          break
        }
        case 'StepFinished': {
          const r = row(e.step)
          r.status = e.status
          r.ended = now()
          if (e.reason !== undefined) r.detail = e.reason
          break
        }
        case 'Stopping':
          row(e.step).status = 'Stopping'
          break
        case 'TuningProgress':
          row(e.step).detail = showProgress(e.progress)
          break
        case 'RequestSent':
        case 'LogLine':
        case 'Upload':
        case 'Repacked':
          break
      }
      const s = line(e)
      redraw(s === undefined ? [] : [s])
    },
    close: () => {
      clearInterval(timer)
      redraw([])
    },
  }
}
