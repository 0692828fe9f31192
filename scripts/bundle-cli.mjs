// The CLI as one file (plus a chunk per lazily loaded command), so a cold start reads a few files
// instead of dozens of modules. Run by `npm run build` and by `npm install` (the prepare script).
// esbuild comes with tsx, a dependency. The AWS SDK, dockerode, tar and tsx stay outside: they are
// loaded only by the commands that need them, and tsx and esbuild find their own files next to them.
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

await build({
  stdin: {
    contents: "import { main } from './src/cli/main.ts'\nprocess.exitCode = await main(process.argv.slice(2))\n",
    resolveDir: root,
    sourcefile: 'sagespec.ts',
    loader: 'ts',
  },
  // dist/bundle/cli/: main.ts finds package.json three levels up, as from dist/src/cli/.
  outdir: join(root, 'dist', 'bundle', 'cli'),
  entryNames: 'sagespec',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['@aws-sdk/*', 'dockerode', 'tar', 'tsx', 'tsx/*', 'esbuild'],
  logLevel: 'warning',
})
