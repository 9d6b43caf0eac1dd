// What a page of the web app makes the browser download on a first visit, from Vite's manifest: the entry, the
// page's chunk, and every chunk they import statically; sizes gzipped as the wire carries them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { WEB_DIST } from '../../src/web-app/routes.ts';

interface Chunk {
  file: string;
  imports?: string[];
  css?: string[];
}

export interface FirstLoad {
  files: string[];
  javascriptGzipBytes: number;
  cssGzipBytes: number;
}

/** The files a first visit of `page` (a manifest key such as src/features/teams/TeamsPage.tsx) needs. */
export function firstLoad(page?: string, dist = WEB_DIST): FirstLoad {
  const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<
    string,
    Chunk
  >;
  const seen = new Set<string>();
  const files = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`${key} is not in the web app's manifest`);
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit('index.html');
  if (page) visit(page);
  const gz = (file: string) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
  const all = [...files];
  return {
    files: all,
    javascriptGzipBytes: all.filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + gz(f), 0),
    cssGzipBytes: all.filter((f) => f.endsWith('.css')).reduce((sum, f) => sum + gz(f), 0),
  };
}
