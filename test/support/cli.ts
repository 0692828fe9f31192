/**
 * The CLI from source, for tests that spawn it as a separate process (signals, exit codes):
 * `tsx test/support/cli.ts run …`.
 */
import { main } from '../../src/cli/main.js'

process.exitCode = await main(process.argv.slice(2))
