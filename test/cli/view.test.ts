import { describe, expect, it } from 'vitest'
import { lineView, ttyView } from '../../src/cli/view.js'
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
})
