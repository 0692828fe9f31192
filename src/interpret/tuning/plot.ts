/**
 * The tuning plot: each training job's final objective as a point at the time it ended, the best
 * objective so far as a step line, axes with round ticks. A pure function of the analytics: the same
 * jobs give the same bytes (no clock, fixed number formats), so the picture can be a golden file.
 *
 * @since 0.2.0
 */
import type { TrainingJobResult, TuningAnalytics } from './analytics.js'

const WIDTH = 760
const HEIGHT = 460
const LEFT = 90
const RIGHT = 30
const TOP = 84
const BOTTOM = 84
const PLOT_W = WIDTH - LEFT - RIGHT
const PLOT_H = HEIGHT - TOP - BOTTOM

/** Text for an SVG element or attribute. */
export const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')

const n = (x: number): string => {
  const s = x.toFixed(1)
  return s.endsWith('.0') ? s.slice(0, -2) : s === '-0' ? '0' : s
}

/** A round step (1, 2 or 5 × 10^k) that cuts `span` into about `count` pieces. */
const niceStep = (span: number, count: number): number => {
  const raw = span / count
  const power = 10 ** Math.floor(Math.log10(raw))
  const f = raw / power
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power
}

interface Axis {
  readonly min: number
  readonly max: number
  readonly ticks: ReadonlyArray<number>
  /** Decimals a tick label needs. */
  readonly decimals: number
}

/** Round bounds around [lo, hi] and the ticks between them. */
export const niceAxis = (lo: number, hi: number, count = 5): Axis => {
  // A single value still needs an axis: widen it around the value.
  const pad = hi === lo ? (lo === 0 ? 1 : Math.abs(lo) * 0.1) : 0
  const step = niceStep(hi + pad - (lo - pad), count)
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9))
  // Ticks are whole multiples of the step, rounded to the digits the step has: no float drift.
  const at = (k: number) => Number((k * step).toFixed(decimals))
  const first = Math.floor((lo - pad) / step)
  const last = Math.ceil((hi + pad) / step)
  const ticks = Array.from({ length: last - first + 1 }, (_, i) => at(first + i))
  return { min: ticks[0]!, max: ticks[ticks.length - 1]!, ticks, decimals }
}

const label = (v: number, decimals: number): string => {
  const s = v.toFixed(decimals)
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s
}

type Unit = { readonly name: string; readonly ms: number }
const UNITS: ReadonlyArray<{ readonly upToMs: number; readonly unit: Unit }> = [
  { upToMs: 3 * 60_000, unit: { name: 'seconds', ms: 1000 } },
  { upToMs: 3 * 3_600_000, unit: { name: 'minutes', ms: 60_000 } },
  { upToMs: 3 * 86_400_000, unit: { name: 'hours', ms: 3_600_000 } },
  { upToMs: Infinity, unit: { name: 'days', ms: 86_400_000 } },
]

interface Point {
  readonly job: TrainingJobResult
  readonly objective: number
  readonly at: number
}

/** The tuning job's plot as an SVG document. */
export const toSvg = (a: TuningAnalytics): string => {
  const points: Point[] = a.jobs
    .flatMap((job) => {
      const at = (job.endedAt ?? job.startedAt)?.getTime()
      return job.objective === undefined || at === undefined ? [] : [{ job, objective: job.objective, at }]
    })
    .sort((p, q) => p.at - q.at || (p.job.name < q.job.name ? -1 : p.job.name > q.job.name ? 1 : 0))
  const better = (x: number, y: number) => (a.objective.type === 'Maximize' ? x > y : x < y)
  const title = `${a.tuningJob}: ${a.objective.metric} (${a.objective.type === 'Maximize' ? 'higher' : 'lower'} is better)`
  const head = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ]
  if (points.length === 0)
    return [...head, `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle" fill="#555555">No training job has reported ${escapeXml(a.objective.metric)} yet.</text>`, '</svg>', ''].join('\n')

  // x: time since the first plotted job started, in a unit that keeps the numbers small.
  const origin = Math.min(...points.map((p) => p.job.startedAt?.getTime() ?? p.at))
  const spanMs = Math.max(...points.map((p) => p.at)) - origin
  const unit = UNITS.find((u) => spanMs <= u.upToMs)!.unit
  const xAxis = niceAxis(0, Math.max(spanMs / unit.ms, 1e-9))
  const yAxis = niceAxis(Math.min(...points.map((p) => p.objective)), Math.max(...points.map((p) => p.objective)))
  const xOf = (at: number) => LEFT + (((at - origin) / unit.ms - xAxis.min) / (xAxis.max - xAxis.min)) * PLOT_W
  const yOf = (v: number) => TOP + PLOT_H - ((v - yAxis.min) / (yAxis.max - yAxis.min)) * PLOT_H

  // Best so far: flat until a job beats it, then a step to the new best.
  let best = points[0]!
  let path = `M${n(xOf(best.at))},${n(yOf(best.objective))}`
  for (const p of points.slice(1)) {
    if (!better(p.objective, best.objective)) continue
    path += ` H${n(xOf(p.at))} V${n(yOf(p.objective))}`
    best = p
  }
  path += ` H${n(xOf(points[points.length - 1]!.at))}`
  // The best job as the analytics rank it (ties broken by name there).
  const rank = new Map(a.jobs.map((j, i) => [j, i]))
  const overall = points.reduce((x, p) => (rank.get(p.job)! < rank.get(x.job)! ? p : x))

  const bottom = TOP + PLOT_H
  const right = LEFT + PLOT_W
  const unscored = a.jobs.length - points.length
  const subtitle = `${points.length} training job${points.length === 1 ? '' : 's'} with an objective${unscored === 0 ? '' : `, ${unscored} without`}; best ${overall.objective} (${overall.job.name})`
  return [
    ...head,
    `<text x="12" y="44" fill="#555555">${escapeXml(subtitle)}</text>`,
    // grid and ticks
    ...yAxis.ticks.flatMap((t) => [
      `<line x1="${LEFT}" y1="${n(yOf(t))}" x2="${right}" y2="${n(yOf(t))}" stroke="#e5e5e5"/>`,
      `<text x="${LEFT - 8}" y="${n(yOf(t) + 4)}" text-anchor="end">${label(t, yAxis.decimals)}</text>`,
    ]),
    ...xAxis.ticks.flatMap((t) => {
      const x = n(LEFT + ((t - xAxis.min) / (xAxis.max - xAxis.min)) * PLOT_W)
      return [`<line x1="${x}" y1="${bottom}" x2="${x}" y2="${bottom + 5}" stroke="#333333"/>`, `<text x="${x}" y="${bottom + 19}" text-anchor="middle">${label(t, xAxis.decimals)}</text>`]
    }),
    // axes and their labels
    `<line x1="${LEFT}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333333"/>`,
    `<line x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${bottom}" stroke="#333333"/>`,
    `<text x="${LEFT + PLOT_W / 2}" y="${bottom + 40}" text-anchor="middle">${escapeXml(`${unit.name} since the first training job started`)}</text>`,
    // The metric's name over its axis, level: no rotation for a renderer to get wrong.
    `<text x="12" y="${TOP - 16}" font-weight="bold">${escapeXml(a.objective.metric)}</text>`,
    // best so far, then the jobs on top
    `<path d="${path}" fill="none" stroke="#d62728" stroke-width="2"/>`,
    // (each point's title is the job's name and objective, shown on hover)
    ...points.map(
      (p) =>
        `<g><title>${escapeXml(`${p.job.name}: ${p.objective}`)}</title><circle cx="${n(xOf(p.at))}" cy="${n(yOf(p.objective))}" r="${p === overall ? 6 : 4}" fill="${p === overall ? '#d62728' : '#1f77b4'}"/></g>`,
    ),
    // legend, under the plot where no point can hide it
    `<g transform="translate(${LEFT},${HEIGHT - 16})">`,
    `<circle cx="4" cy="-4" r="4" fill="#1f77b4"/><text x="14" y="0">training job</text>`,
    `<circle cx="114" cy="-4" r="6" fill="#d62728"/><text x="126" y="0">best job</text>`,
    `<line x1="206" y1="-4" x2="226" y2="-4" stroke="#d62728" stroke-width="2"/><text x="234" y="0">best so far</text>`,
    `</g>`,
    '</svg>',
    '',
  ].join('\n')
}
