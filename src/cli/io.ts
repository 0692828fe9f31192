/**
 * The process's own standard output and error, as commands write to them.
 *
 * @since 0.2.0
 */
import type { Io } from './compile.js'

export const defaultIo: Io = {
  out: (s) => void process.stdout.write(s.endsWith('\n') ? s : s + '\n'),
  err: (s) => void process.stderr.write(s.endsWith('\n') ? s : s + '\n'),
  write: (b) => void process.stdout.write(b),
}
