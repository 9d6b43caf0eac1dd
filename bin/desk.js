#!/usr/bin/env node
// The `desk` command. From a checkout it runs the TypeScript sources through tsx (no build step); the container
// image has no src/, only the built dist/ (scripts/image.sh), and runs that with plain Node.
import { existsSync } from 'node:fs';

const sources = new URL('../src/cli.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import('../dist/cli.js');
}
