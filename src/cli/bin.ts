/**
 * The CLI's entry when it runs from source (tests, `tsx`): what `bin/sagespec.js` is for the build.
 *
 * @since 0.2.0
 */
import { main } from './main.js'

process.exitCode = await main(process.argv.slice(2))
