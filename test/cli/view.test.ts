import { describe, expect, it } from 'vitest'
import { bytes, lineView, ttyView, uploadFrames } from '../../src/cli/view.js'
import { eventLine } from '../../src/cli/run.js'
import type { RunEvent } from '../../src/interpret/execute/executor.js'

const at = new Date('2026-12-04T10:00:00Z')
const events: RunEvent[] = [
  { _tag: 'RunStarted', runId: 'r1', resumed: false, backend: 'a test backend', steps: ['train', 'serve'] },
  { _tag: 'StepStarted', step: 'train', kind: 'Training', physicalName: 'train-r1', attempt: 1 },
  { _tag: 'StatusChanged', step: 'train', status: 'InProgress', secondary: 'Training', message: 'Training image download completed', at },
  { _tag: 'LogLine', step: 'train', host: 'algo-1', line: 'epoch 1 loss 0.5' },
  { _tag: 'StepFinished', step: 'train', status: 'Completed' },
]

describe('run views', () => {
  it('off a terminal: one plain line per event worth a line', () => {
    const lines: string[] = []
    const v = lineView((s) => void lines.push(s), (e) => eventLine(e, () => at))
    for (const e of events) v.event(e)
    v.close()
    expect(lines).toEqual([
      'Starting run r1 on a test backend (2 steps)',
      '10:00:00 train: train-r1',
      '10:00:00 train:   Training — Training image download completed',
      'train [algo-1] epoch 1 loss 0.5',
      '10:00:00 train: Completed',
    ])
  })

  it('on a terminal: lines scroll above a status block that is redrawn in place', () => {
    let written = ''
    const out = { columns: 80, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream
    let t = 0
    const v = ttyView(out, (e) => eventLine(e, () => at), () => t)
    v.event(events[0]!)
    v.event(events[1]!)
    t = 5000
    v.event(events[2]!)
    v.close()
    // Each redraw after the first moves up over the old block (ESC[nF) and clears it (ESC[0J).
    expect(written.split('\u001b[2F\u001b[0J').length).toBe(4)
    const last = written.slice(written.lastIndexOf('\u001b[0J') + 4)
    expect(last).toBe('  train  InProgress      5s  Training — Training image download completed\n  serve  Pending             \n')
  })

  const uri = 's3://b/code/abc/sourcedir.tar.gz'
  const MiB = 1024 * 1024
  const progress = (loaded: number) => ({ uri, loaded, total: 20 * MiB })

  it('upload frames: one line per upload in flight, replaced by its next, gone when it ends', () => {
    const other = { uri: 's3://b/data/x.csv', loaded: 512, total: 2048 }
    const frames = uploadFrames([
      { progress: progress(0), at: 1000 },
      { progress: progress(5 * MiB), at: 2000 },
      { progress: other, at: 2000 },
      { progress: progress(10 * MiB), at: 3000 },
      { progress: progress(20 * MiB), at: 4000 },
    ])
    expect(frames).toStrictEqual([
      [`  ↑ ${uri}  0 B / 20.0 MiB  0%`],
      [`  ↑ ${uri}  5.0 MiB / 20.0 MiB  25%  5.0 MiB/s`],
      [`  ↑ ${uri}  5.0 MiB / 20.0 MiB  25%  5.0 MiB/s`, '  ↑ s3://b/data/x.csv  512 B / 2.0 KiB  25%'],
      [`  ↑ ${uri}  10.0 MiB / 20.0 MiB  50%  5.0 MiB/s`, '  ↑ s3://b/data/x.csv  512 B / 2.0 KiB  25%'],
      ['  ↑ s3://b/data/x.csv  512 B / 2.0 KiB  25%'],
    ])
    expect(bytes(1023)).toBe('1023 B')
    expect(bytes(1536 * MiB)).toBe('1.5 GiB')
  })

  it('on a terminal an upload is one line redrawn in place, then its final plain line', () => {
    let written = ''
    const out = { columns: 120, write: (s: string) => ((written += s), true) } as unknown as NodeJS.WriteStream
    let t = 0
    const v = ttyView(out, (e) => eventLine(e, () => at), () => t)
    v.event({ _tag: 'RunStarted', runId: 'r1', resumed: false, backend: 'b', steps: ['train'] })
    const writes: string[] = []
    const mark = () => {
      writes.push(written)
      written = ''
    }
    mark()
    for (const [loaded, when] of [
      [4 * MiB, 0],
      [12 * MiB, 2000],
      [20 * MiB, 4000],
    ] as const) {
      t = when
      v.event({ _tag: 'Upload', step: 'train', progress: progress(loaded) })
      mark()
    }
    v.close()
    const pending = `  train  ${'Pending'.padEnd(11)} ${''.padStart(6)}  `
    // The first progress frame: the step row, then the upload line below it.
    expect(writes[1]).toBe(`\u001b[1F\u001b[0J${pending}\n  ↑ ${uri}  4.0 MiB / 20.0 MiB  20%\n`)
    // The next moves up over both lines and draws the upload line anew (not a second one).
    expect(writes[2]).toBe(`\u001b[2F\u001b[0J${pending}\n  ↑ ${uri}  12.0 MiB / 20.0 MiB  60%  4.0 MiB/s\n`)
    // Finished: the final line scrolls above the block and the upload line is gone.
    expect(writes[3]).toBe(`\u001b[2F\u001b[0J10:00:00 train: staged ${uri} (${20 * MiB} bytes)\n${pending}\n`)
  })

  it('off a terminal an upload is still its one final line', () => {
    const lines: string[] = []
    const v = lineView((s) => void lines.push(s), (e) => eventLine(e, () => at))
    for (const loaded of [4 * MiB, 12 * MiB, 20 * MiB]) v.event({ _tag: 'Upload', step: 'train', progress: progress(loaded) })
    expect(lines).toStrictEqual([`10:00:00 train: staged ${uri} (${20 * MiB} bytes)`])
  })
})
