// Builds the web app into web/dist (served by Desk); `npm run dev` serves it with hot reload, proxying Desk.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const desk = 'http://127.0.0.1:8071';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The first-load size test and bench/web-app.ts read which chunks a page needs from it.
    manifest: true,
    // Vite's own report of every chunk's size, gzipped, at each build.
    reportCompressedSize: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(
      ['/api', '/resource-server', '/dev-idp', '/__'].map((p) => [p, { target: desk }]),
    ),
  },
});
