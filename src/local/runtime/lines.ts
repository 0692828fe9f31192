/**
 * Whole lines out of a byte stream, however its chunks cut them: a line split across chunks, or a
 * UTF-8 character split across chunks, comes out whole. A last line without a newline comes out when
 * the stream ends; a trailing `\r` (CRLF) is dropped.
 *
 * @since 0.2.0
 */
import { Writable } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'

export const lineWriter = (emit: (line: string) => void): Writable => {
  const decoder = new StringDecoder('utf8')
  let rest = ''
  const push = (text: string) => {
    const parts = (rest + text).split('\n')
    rest = parts.pop() ?? ''
    for (const p of parts) emit(p.endsWith('\r') ? p.slice(0, -1) : p)
  }
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      push(decoder.write(chunk))
      done()
    },
    final(done) {
      push(decoder.end())
      if (rest !== '') emit(rest.endsWith('\r') ? rest.slice(0, -1) : rest)
      rest = ''
      done()
    },
  })
}
