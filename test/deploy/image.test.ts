// The production image as its Dockerfile describes it (this machine cannot run docker): built with scripts/image.sh,
// shipping the built output only, non-root, healthy on /__lbheartbeat__, with no secret baked in.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeSettings } from '../../src/platform/config.ts';

const ROOT = resolve(import.meta.dirname, '../..');

interface Instruction {
  keyword: string;
  args: string;
  /** Index of the FROM this instruction follows (0 = the first stage). */
  stage: number;
}

/** The Dockerfile's instructions, continuation lines joined, comments and the syntax directive left out. */
function instructions(text: string): Instruction[] {
  const logical = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  let stage = -1;
  return logical.map((line) => {
    const [keyword = '', ...rest] = line.split(/\s+/);
    if (keyword.toUpperCase() === 'FROM') stage += 1;
    return { keyword: keyword.toUpperCase(), args: rest.join(' '), stage };
  });
}

const dockerfile = instructions(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
const lastStage = Math.max(...dockerfile.map((i) => i.stage));
const final = dockerfile.filter((i) => i.stage === lastStage);
const all = (keyword: string, within = dockerfile) => within.filter((i) => i.keyword === keyword);
/** ARG defaults (an ARG redeclared without one, to use it inside a stage, keeps the global default). */
const argDefaults = Object.fromEntries(
  all('ARG')
    .filter((i) => i.args.includes('='))
    .map((i) => {
      const [name = '', ...value] = i.args.split('=');
      return [name, value.join('=').replace(/^"|"$/g, '')];
    }),
);
/** ENV NAME=value pairs of the final stage. */
const environment = Object.fromEntries(
  all('ENV', final).flatMap((i) =>
    [...i.args.matchAll(/(\w+)=("[^"]*"|\S*)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')]),
  ),
);

describe('the Dockerfile', () => {
  it('starts from the official node:24-slim image, in a builder stage and a runtime stage', () => {
    const bases = all('FROM').map((i) =>
      i.args.split(/\s+/)[0]!.replace(/^\$\{(\w+)\}$/, (_, n) => argDefaults[n]!),
    );
    expect(bases).toEqual(['node:24-slim', 'node:24-slim']);
  });

  it("runs the Node major CI tests on (.ci/run's NODE_LTS_VERSION), in a version package.json's engines allow", () => {
    const ci = /^NODE_LTS_VERSION=(\d+)\.(\d+)\.(\d+)$/m.exec(readFileSync(join(ROOT, '.ci/run'), 'utf8'));
    expect(ci, 'NODE_LTS_VERSION=x.y.z in .ci/run').not.toBeNull();
    const [major, minor, patch] = ci!.slice(1).map(Number) as [number, number, number];
    expect(argDefaults.NODE_IMAGE).toBe(`node:${major}-slim`);
    const { engines } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      engines: { node: string };
    };
    // The range of that major, written ^major.minor.patch as npm's own engines are.
    const range = engines.node
      .split('||')
      .map((r) => r.trim())
      .find((r) => r.startsWith(`^${major}.`));
    expect(range, `a ^${major}.x.y range in engines.node (${engines.node})`).toBeDefined();
    const [, lowestMinor, lowestPatch] = range!.slice(1).split('.').map(Number) as [number, number, number];
    expect(minor * 1e4 + patch).toBeGreaterThanOrEqual(lowestMinor * 1e4 + lowestPatch);
  });

  it('builds with `scripts/image.sh build` and installs the runtime dependencies with `production-deps`', () => {
    const runs = (stage: number) => all('RUN').filter((i) => i.stage === stage);
    expect(runs(0).some((i) => /\bbash scripts\/image\.sh build$/.test(i.args))).toBe(true);
    expect(runs(lastStage).some((i) => /\bbash scripts\/image\.sh production-deps$/.test(i.args))).toBe(true);
  });

  it('ships the built server, web app, migrations and bin/ from the builder, never the TypeScript sources', () => {
    const copies = all('COPY', final).map((i) => i.args);
    const fromBuilder = copies
      .filter((args) => args.startsWith('--from=builder '))
      .map((args) => args.split(/\s+/)[1]);
    expect(fromBuilder).toEqual(
      expect.arrayContaining([
        '/build/dist',
        '/build/web/dist',
        '/build/drizzle',
        '/build/bin',
        '/build/package.json',
      ]),
    );
    // Without src/, bin/desk.js runs the compiled dist/cli.js.
    for (const args of copies) expect(args, `COPY ${args}`).not.toMatch(/(^|\s|\/)src(\/|\s|$)|^\.\s/);
  });

  it('holds every file scripts/image.sh assembles for the runtime (its RUNTIME_FILES), and no other sources', () => {
    const declared = /^RUNTIME_FILES=\(([^)]*)\)/m.exec(readFileSync(join(ROOT, 'scripts/image.sh'), 'utf8'));
    expect(declared, 'RUNTIME_FILES=(…) in scripts/image.sh').not.toBeNull();
    const copied = all('COPY', final).flatMap((i) => {
      const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      return parts.slice(0, -1).map((source) => source.replace(/^\/build\//, ''));
    });
    for (const file of declared![1]!.trim().split(/\s+/)) expect(copied, file).toContain(file);
  });

  it('runs as a non-root user, by number (so Kubernetes can check runAsNonRoot)', () => {
    const user = all('USER', final).at(-1)?.args ?? 'root';
    const [uid] = user.split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
  });

  it('checks its health on /__lbheartbeat__ with Node (the slim image has no curl)', () => {
    const [healthcheck] = all('HEALTHCHECK', final);
    expect(healthcheck?.args).toMatch(/CMD \["node", "-e", ".*\/__lbheartbeat__/);
  });

  it('listens on 8071 on every interface, in production mode, with settings Desk knows', () => {
    expect(environment).toMatchObject({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '8071' });
    const known = new Set(describeSettings().map((s) => s.name));
    expect(Object.keys(environment).filter((name) => !known.has(name))).toEqual([]);
    expect(all('EXPOSE', final).map((i) => i.args)).toEqual([environment.PORT]);
  });

  it('runs `desk start` by default, and `desk migrate` when asked (docker run … migrate)', () => {
    expect(all('ENTRYPOINT', final).at(-1)?.args).toBe('["desk"]');
    expect(all('CMD', final).at(-1)?.args).toBe('["start"]');
    expect(all('RUN', final).some((i) => i.args.includes('/usr/local/bin/desk'))).toBe(true);
  });

  it('bakes no secret into an ENV or an ARG', () => {
    const secretName = /SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|_KEY\b|DATABASE_URL|REDIS_URL/i;
    const secretValue = /:\/\/[^/\s:@]+:[^/\s@]+@|-----BEGIN|^[A-Za-z0-9+/_=-]{32,}$/;
    const values = { ...argDefaults, ...environment };
    const found = Object.entries(values).filter(
      ([name, value]) => (secretName.test(name) && value !== '') || secretValue.test(value),
    );
    expect(found).toEqual([]);
  });
});

describe('the build context (.dockerignore)', () => {
  it('leaves out dependencies, build output, local data, test output and secrets', () => {
    const entries = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(entries).toEqual(
      expect.arrayContaining([
        '.git',
        '**/node_modules',
        'dist',
        'web/dist',
        '.desk',
        'test-results',
        'coverage',
        'scratch',
        '**/*.log',
        '.env',
      ]),
    );
    // The builder needs the sources and the script it runs.
    expect(entries.filter((e) => /^(src|web|scripts|package(-lock)?\.json|drizzle|bin)\/?$/.test(e))).toEqual(
      [],
    );
  });
});
