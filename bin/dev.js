#!/usr/bin/env node
// `npm run dev`: Desk restarting on changes, and the web app with hot reload at http://127.0.0.1:5173 (Vite
// proxies /api, /dev-idp, /__ and /resource-server to Desk). Desk's PUBLIC_URL is Vite's, so login comes back there.
import { spawn } from 'node:child_process';

const children = [
  spawn('npx', ['tsx', 'watch', 'src/cli.ts', 'start'], {
    stdio: 'inherit',
    env: { ...process.env, PUBLIC_URL: process.env.PUBLIC_URL ?? 'http://127.0.0.1:5173' },
  }),
  spawn('npx', ['vite', '--config', 'web/vite.config.ts'], { stdio: 'inherit' }),
];
const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children)
  child.on('exit', (code) => {
    stop();
    process.exitCode = code ?? 0;
  });
