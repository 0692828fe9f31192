// Preloaded (`node --require bench/report-rss.cjs …`) into a command the benchmarks run as a user runs
// it: at exit the process prints its own peak RSS, the last line of its standard error.
'use strict'
process.on('exit', () => process.stderr.write(`${JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`))
