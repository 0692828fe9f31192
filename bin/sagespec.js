#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/bundle/ (by `npm install` through the prepare script,
// or `npm run build`), so a cold start loads a handful of files.
import '../dist/bundle/cli/sagespec.js'
