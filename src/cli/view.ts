/**
 * What a person watching `sagespec run` sees. Off a terminal (CI, a pipe): one plain line per event.
 * On a terminal: the same lines scroll, and below them a compact block shows every step's current
 * status and how long it has taken, redrawn in place, and one line per upload in flight (bytes of the
 * total, percent, rate) that the upload's final plain line replaces when it ends.
 *
 * @since 0.2.0
 */
import type { RunEvent } from '../interpret/execute/executor.js'
import type { Progress } from '../interpret/execute/port.js'
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

// -------------------------------------------------------------------------------------
// uploads
// -------------------------------------------------------------------------------------

/** An upload in flight: its latest progress, and when (ms) and at how many bytes it was first seen. */
export interface UploadRow {
  readonly progress: Progress
  readonly startedAt: number
  readonly startLoaded: number
  readonly at: number
}

/** The uploads in flight after one progress event: a finished upload leaves (its final line scrolls instead). */
export const nextUploads = (uploads: ReadonlyMap<string, UploadRow>, p: Progress, now: number): ReadonlyMap<string, UploadRow> => {
  const next = new Map(uploads)
  if (p.loaded >= p.total) next.delete(p.uri)
  else {
    const first = uploads.get(p.uri)
    next.set(p.uri, { progress: p, startedAt: first?.startedAt ?? now, startLoaded: first?.startLoaded ?? p.loaded, at: now })
  }
  return next
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
/** Bytes for a person: 1023 B, 1.5 MiB. */
export const bytes = (n: number): string => {
  let v = n
  let u = 0
  while (v >= 1024 && u < UNITS.length - 1) (v /= 1024), u++
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${UNITS[u]}`
}

/** One upload's line: where, bytes of the total, percent, and the rate since it began (once it has one). */
export const showUpload = (r: UploadRow): string => {
  const { uri, loaded, total } = r.progress
  const pct = total > 0 ? Math.floor((100 * loaded) / total) : 0
  const seconds = (r.at - r.startedAt) / 1000
  return `  ↑ ${uri}  ${bytes(loaded)} / ${bytes(total)}  ${pct}%${seconds > 0 ? `  ${bytes(Math.round((loaded - r.startLoaded) / seconds))}/s` : ''}`
}

/** The upload lines shown after each progress event: the renderer's frames, as data. */
export const uploadFrames = (events: ReadonlyArray<{ readonly progress: Progress; readonly at: number }>): ReadonlyArray<ReadonlyArray<string>> => {
  let uploads: ReadonlyMap<string, UploadRow> = new Map()
  return events.map((e) => {
    uploads = nextUploads(uploads, e.progress, e.at)
    return [...uploads.values()].map(showUpload)
  })
}

// -------------------------------------------------------------------------------------
// the terminal view
// -------------------------------------------------------------------------------------

const ESC = '\u001b['
const clip = (s: string, width: number) => (s.length > width ? `${s.slice(0, Math.max(0, width - 1))}…` : s)
const elapsed = (r: Row, now: number) => (r.started === undefined ? '' : `${Math.round(((r.ended ?? now) - r.started) / 1000)}s`)

/** Scrolling lines above a status block redrawn in place; the block is left on screen at the end. */
export const ttyView = (out: NodeJS.WriteStream, line: (e: RunEvent) => string | undefined, now: () => number = Date.now): View => {
  const rows = new Map<string, Row>()
  let uploads: ReadonlyMap<string, UploadRow> = new Map()
  let drawn = 0
  const block = (): string[] => {
    const width = Math.max(40, out.columns ?? 100)
    const nameWidth = Math.min(28, Math.max(4, ...[...rows.keys()].map((k) => k.length)))
    return [
      ...[...rows.entries()].map(([name, r]) => `  ${name.padEnd(nameWidth)}  ${r.status.padEnd(11)} ${elapsed(r, now()).padStart(6)}  ${r.detail}`),
      ...[...uploads.values()].map(showUpload),
    ].map((l) => clip(l, width - 1))
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
        case 'Upload':
          uploads = nextUploads(uploads, e.progress, now())
          break
        case 'RequestSent':
        case 'LogLine':
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
