/**
 * V8's young generation doubles each time as much has survived it as it holds, up to two 16 MB
 * halves. Compiling a program keeps nearly all it makes (the program, its checks, the plan), so on
 * a large one the nursery grows to its largest and stays there: 32 MB of a 10,000-step `plan`'s
 * 137 MB peak. The planning commands keep it at the size it has instead; the rest of their garbage
 * is short-lived, so this costs them no time (bench/plan.ts prints both figures).
 *
 * The flag is read at each growth decision, so setting it once the process runs takes effect (V8
 * warns that a flag set late may also do nothing; then the nursery grows as before).
 *
 * @since 0.4.0
 */
import { setFlagsFromString } from 'node:v8'

export const keepNurserySmall = (): void => setFlagsFromString('--semi-space-growth-factor=1')
