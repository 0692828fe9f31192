import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lineWriter } from '../../../src/local/runtime/lines.js'

/** Write `bytes` cut at `cuts`, end the stream, and collect the lines. */
const linesOf = async (bytes: Buffer, cuts: ReadonlyArray<number>): Promise<string[]> => {
  const lines: string[] = []
  const w = lineWriter((l) => lines.push(l))
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  let from = 0
  for (const c of [...at, bytes.length]) {
    if (c > from) w.write(bytes.subarray(from, c))
    from = Math.max(from, c)
  }
  await new Promise((r) => w.end(r))
  return lines
}

describe('lineWriter', () => {
  it('gives the lines of the whole text however the bytes are cut (lines and UTF-8 characters split across chunks)', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'é', '€', '𝄞', ' ', '\r', '\n'), maxLength: 40 })
    // The lines of the whole text at once: split at \n, no line after a final \n, no \r before one.
    const whole = (t: string) => (t === '' ? [] : t.replace(/\n$/, '').split('\n').map((l) => l.replace(/\r$/, '')))
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat(), { maxLength: 20 }), async (t, cuts) => {
        expect(await linesOf(Buffer.from(t, 'utf8'), cuts)).toEqual(whole(t))
      }),
      { numRuns: 300 },
    )
  })

  it('drops the \\r of CRLF line ends and keeps a last line without a newline', async () => {
    expect(await linesOf(Buffer.from('one\r\ntwo\nthree'), [2, 5])).toEqual(['one', 'two', 'three'])
  })
})
