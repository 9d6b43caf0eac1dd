// Benchmark: the web app's first load. Prints what each page makes the browser download (gzipped), then the time
// from navigation to an interactive teams page (heading and a team link present) in Chromium on loopback, against
// the time to an interactive signed-out page measured in the same run (the baseline: HTML, the entry and no API
// data but config/ and users/me/).
import { existsSync } from 'node:fs';
import { CHROMIUM, DEMO_USERS, launchBrowser, loginAs, startDeskProcess } from '../test/support/e2e.ts';
import { firstLoad } from '../test/support/first-load.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const PAGES = [
  ['signed-out page (entry only)', undefined],
  ['teams', 'src/features/teams/TeamsPage.tsx'],
  ['a team', 'src/features/teams/TeamPage.tsx'],
  ['contacts', 'src/features/contacts/ContactsPage.tsx'],
  ['profile', 'src/features/profile/ProfilePage.tsx'],
] as const;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1] ?? 0;

async function main(): Promise<void> {
  console.log('First load per page (JavaScript and CSS, gzipped level 9; budget 150 KB of JavaScript):');
  for (const [label, page] of PAGES) {
    const load = firstLoad(page);
    console.log(
      `  ${label.padEnd(30)} JS ${kb(load.javascriptGzipBytes).padStart(9)}  CSS ${kb(load.cssGzipBytes)}`,
    );
  }
  if (!existsSync(CHROMIUM)) {
    console.log(`No ${CHROMIUM}: time to interactive not measured (apt-get install chromium).`);
    return;
  }
  const desk = await startDeskProcess({ BURST_THROTTLE_RATES: 'off', SUSTAINED_THROTTLE_RATES: 'off' });
  const browser = await launchBrowser();
  try {
    const signedOut = await browser.newContext();
    const signedIn = await browser.newContext();
    const page = await signedIn.newPage();
    const agent = DEMO_USERS[0];
    if (!agent) throw new Error('no demo agent');
    await loginAs(page, desk.url, agent);
    for (let i = 0; i < 5; i++)
      await page.request.post(`${desk.url}/api/v1.0/teams/`, {
        data: { name: `Bench team ${i}` },
        headers: {
          'x-csrftoken': (await signedIn.cookies()).find((c) => c.name === 'csrftoken')?.value ?? '',
        },
      });
    const outPage = await signedOut.newPage();
    const timings = { baseline: [] as number[], teams: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      let started = performance.now();
      await outPage.goto(`${desk.url}/?run=${run}`);
      await outPage.getByRole('heading', { level: 1 }).waitFor();
      timings.baseline.push(performance.now() - started);
      started = performance.now();
      await page.goto(`${desk.url}/teams?run=${run}`);
      await page.getByRole('link', { name: 'Bench team 0' }).waitFor();
      timings.teams.push(performance.now() - started);
    }
    console.log(
      `\nTime to interactive, ${RUNS} navigations each, Chromium on loopback (assets cached after the first):`,
    );
    console.log(
      `  signed-out page (baseline)  median ${median(timings.baseline).toFixed(0)} ms  p95 ${p95(timings.baseline).toFixed(0)} ms`,
    );
    console.log(
      `  teams page with 5 teams     median ${median(timings.teams).toFixed(0)} ms  p95 ${p95(timings.teams).toFixed(0)} ms`,
    );
    console.log(
      `  ratio teams / baseline      ${(median(timings.teams) / median(timings.baseline)).toFixed(2)}x`,
    );
  } finally {
    await browser.close();
    await desk.stop();
  }
}

await main();
