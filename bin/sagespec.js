#!/usr/bin/env node
// Thin launcher: the CLI is bundled into dist/bundle/ (by `npm install` through the prepare script,
// or `npm run build`), so a cold start loads a handful of files.
//
// sagespec targets Node.js 20 by design; the AWS SDK's notice that its 2027 releases will need Node 22
// would otherwise end every command that loads it (set the variable to "false" to see it).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
await import('../dist/bundle/cli/sagespec.js')
