/**
 * The process's own standard output and error, as commands write to them.
 *
 * @since 0.2.0
 */
import type { Io } from './compile.js'

// A reader that stops early (`sagespec plan big.json | head`) closes the pipe: the rest of the output
// is unwanted, not an error, so end quietly as other Unix tools do instead of an unhandled EPIPE.
let watched = false
const watchStdout = (): void => {
  if (watched) return
  watched = true
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw e
  })
}

const toStdout = (s: string | Uint8Array): void => {
  watchStdout()
  process.stdout.write(s)
}

export const defaultIo: Io = {
  out: (s) => toStdout(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => void process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
  write: (b) => toStdout(b),
}
