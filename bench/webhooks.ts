// Benchmark: team webhook delivery latency (p50/p95/p99) under a steady 100 membership changes a second, and what the
// webhooks cost the request that makes the change (the same driver on teams without webhooks, before and after).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { count } from 'drizzle-orm';
import { organizations } from '../src/organizations/index.ts';
import { JobQueue } from '../src/platform/job-queue.ts';
import { users } from '../src/users/index.ts';
import { WEBHOOK_JOB, webhookJobHandler } from '../src/webhooks/delivery.ts';
import { teamWebhookDeliveries } from '../src/webhooks/schema.ts';
import { WebhookSecrets } from '../src/webhooks/secrets.ts';
import { deliverTo } from '../src/webhooks/wiring.ts';
import { listeningDesk } from './support/listening-desk.ts';
import { percentile } from './support/stats.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const TEAMS = Number(process.env.BENCH_TEAMS ?? 10);
const CHANGES = Math.round(SECONDS * RATE);
/** Job queues sending deliveries: Desk's own, and BENCH_WORKERS − 1 more standing for other pods (same pool). */
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
/** Changes made before measuring, on a team of their own without webhook (JIT, connections, plans). */
const WARM_UP = Math.min(CHANGES, 5 * RATE);
/** How long the backlog may take to drain after the driver stopped before the run gives up waiting. */
const DRAIN_LIMIT_MS = Number(process.env.BENCH_DRAIN_LIMIT_MS ?? 300_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A receiver standing for the other app: answers 200 at once, and notes when each member's PatchOp arrived. */
async function startReceiver() {
  const arrivals = new Map<string, number>();
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Noted before anything else, so the answer and the parsing are not counted in the latency.
      const at = performance.now();
      res.writeHead(200, { 'content-type': 'application/scim+json' }).end('{}');
      requests += 1;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          Operations?: { value?: { value?: string }[] }[];
        };
        const sub = body.Operations?.[0]?.value?.[0]?.value;
        if (sub && !arrivals.has(sub)) arrivals.set(sub, at);
      } catch {
        // Not a PatchOp: counted in requests only.
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/scim/v2/Groups/bench`,
    arrivals,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function main(): Promise<void> {
  // The receiver listens on 127.0.0.1; the job queue polls as in production (every second): it sends the deliveries.
  const { desk, base, close } = await listeningDesk(
    'webhooks',
    { WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' },
    { runJobs: true },
  );
  const db = desk.database.db;
  const stamp = Date.now();
  const others = Array.from({ length: WORKERS - 1 }, () => {
    const queue = new JobQueue(desk.database);
    queue.register(
      WEBHOOK_JOB,
      webhookJobHandler(desk.database, {
        deliver: deliverTo(desk.config),
        secrets: new WebhookSecrets(desk.config.SECRET_KEY),
        timeoutMs: 4 * desk.config.WEBHOOK_TIMEOUT * 1000,
      }),
    );
    queue.start();
    return queue;
  });
  const receiver = await startReceiver();

  const [organization] = await db
    .insert(organizations)
    .values({ name: `Bench webhooks ${stamp}` })
    .returning();
  const organizationId = organization!.id;
  const [owner] = await db
    .insert(users)
    .values({ email: `owner.${stamp}@example.gouv.fr`, name: 'Owner', sub: `owner-${stamp}`, organizationId })
    .returning();
  const session = await desk.sessions.create(owner!.id);
  // Any csrftoken will do, as long as the header repeats it (what the web app does).
  const headers = {
    cookie: `desk_sessionid=${session.id}; csrftoken=bench`,
    'x-csrftoken': 'bench',
    'content-type': 'application/json',
  };
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as { id: string };
  };
  const makeTeams = async (name: string, n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await post('/api/v1.0/teams/', { name: `${name} ${i}` })).id);
    return ids;
  };
  const warmUpTeams = await makeTeams('Warm-up', 1);
  const plainTeams = await makeTeams('Without webhook', TEAMS);
  const laterTeams = await makeTeams('Without webhook, after', TEAMS);
  const hookedTeams = await makeTeams('With webhook', TEAMS);
  for (const teamId of hookedTeams)
    await post(`/api/v1.0/teams/${teamId}/webhooks/`, {
      url: receiver.url,
      protocol: 'scim',
      secret: 'bench-secret',
    });

  // Colleagues to add, signed in once (a sub, which the PatchOp sends): each run adds each of them once.
  const members: { id: string; sub: string }[] = [];
  for (let i = 0; i < CHANGES; i += 500) {
    const batch = Array.from({ length: Math.min(500, CHANGES - i) }, (_, j) => ({
      email: `member.${i + j}.${stamp}@example.gouv.fr`,
      name: `Member ${i + j}`,
      sub: `member-${i + j}-${stamp}`,
      organizationId,
    }));
    members.push(
      ...(await db.insert(users).values(batch).returning({ id: users.id, sub: users.sub })).map((m) => ({
        id: m.id,
        sub: m.sub!,
      })),
    );
  }

  /**
   * Adds `n` members at a steady RATE a second (open loop: each POST leaves at its time whether or not the earlier
   * ones answered), member i to team i mod teams; returns when each POST left and answered (NaN: it failed, e.g.
   * cut off after REQUEST_TIMEOUT when Desk cannot keep up).
   */
  const drive = async (teamIds: string[], n: number) => {
    const sent: number[] = new Array(n);
    const answered: number[] = new Array(n).fill(Number.NaN);
    const requests: Promise<void>[] = [];
    let failed = 0;
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const member = members[i]!;
      sent[i] = performance.now();
      requests.push(
        post(`/api/v1.0/teams/${teamIds[i % teamIds.length]}/accesses/`, {
          user: member.id,
          role: 'member',
        }).then(
          () => {
            answered[i] = performance.now();
          },
          () => {
            failed += 1;
          },
        ),
      );
    }
    const lastSent = performance.now();
    await Promise.all(requests);
    const took = sent.map((s, i) => answered[i]! - s).filter((ms) => !Number.isNaN(ms));
    return { sent, answered, post: took, failed, rate: (n - 1) / ((lastSent - start) / 1000) };
  };

  await drive(warmUpTeams, WARM_UP);
  const plain = await drive(plainTeams, CHANGES);
  const hooked = await drive(hookedTeams, CHANGES);
  const stoppedAt = performance.now();
  const [pendingRow] = await db.select({ n: count() }).from(teamWebhookDeliveries);
  const pending = pendingRow?.n ?? 0;
  const deliveredAtStop = receiver.arrivals.size;
  const made = CHANGES - hooked.failed;
  while (receiver.arrivals.size < made && performance.now() - stoppedAt < DRAIN_LIMIT_MS) await sleep(10);
  const drainedAt = performance.now();
  const delivered = receiver.arrivals.size;
  // The baseline again once the backlog is gone: the two bracket the run with webhooks (drift, a neighbour's load).
  const later = await drive(laterTeams, CHANGES);

  const fromAnswer: number[] = [];
  const fromSent: number[] = [];
  let firstArrival = Number.POSITIVE_INFINITY;
  let lastArrival = 0;
  for (const [i, member] of members.entries()) {
    const at = receiver.arrivals.get(member.sub);
    if (at === undefined || Number.isNaN(hooked.answered[i])) continue;
    fromAnswer.push(at - hooked.answered[i]!);
    fromSent.push(at - hooked.sent[i]!);
    firstArrival = Math.min(firstArrival, at);
    lastArrival = Math.max(lastArrival, at);
  }
  const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  const row = (label: string, v: number[]) =>
    `| ${label} | ${ms(percentile(v, 50))} | ${ms(percentile(v, 95))} | ${ms(percentile(v, 99))} | ${ms(Math.max(...v))} |`;

  console.log(
    `Workload: ${CHANGES} members added by POST /api/v1.0/teams/{id}/accesses/ over HTTP at ${RATE}/s for ${SECONDS} s, spread over ${TEAMS} teams each with one SCIM webhook to a local receiver answering 200 at once; the job queue polling every 1 s${WORKERS > 1 ? `, ${WORKERS} queues sending (as ${WORKERS} pods would)` : ''}; ${desk.database.kind}. Baseline: the same driver on ${TEAMS} teams without webhook, just before and after (warm-up: ${WARM_UP} changes).`,
  );
  console.log(
    `Driver sent ${plain.rate.toFixed(1)} / ${later.rate.toFixed(1)} changes/s without webhooks (before / after), ${hooked.rate.toFixed(1)} with; POSTs failed: ${plain.failed} / ${later.failed} without, ${hooked.failed} with.`,
  );
  console.log('| delivery latency, ms | p50 | p95 | p99 | max |');
  console.log('|---|---|---|---|---|');
  console.log(row('receiver arrival − POST answered', fromAnswer));
  console.log(row('receiver arrival − POST sent', fromSent));
  console.log(
    `Delivered ${delivered} of ${made} changes made (${receiver.requests} requests); ${pending} deliveries still pending when the driver stopped (${deliveredAtStop} arrived by then), backlog drained ${delivered >= made ? 'in' : 'NOT within'} ${((drainedAt - stoppedAt) / 1000).toFixed(1)} s; delivery throughput ${(((delivered - 1) * 1000) / Math.max(1, lastArrival - firstArrival)).toFixed(1)}/s (first to last arrival).`,
  );
  console.log('| POST /accesses/, ms | p50 | p95 | p99 | max |');
  console.log('|---|---|---|---|---|');
  console.log(row('teams without webhook, before', plain.post));
  console.log(row('teams with a webhook', hooked.post));
  console.log(row('teams without webhook, after the backlog drained', later.post));
  const ratio = (p: number) =>
    `${(percentile(hooked.post, p) / percentile(plain.post, p)).toFixed(2)}× / ${(percentile(hooked.post, p) / percentile(later.post, p)).toFixed(2)}×`;
  console.log(
    `Ratio with/without webhooks (against before / after): POST p50 ${ratio(50)}, p95 ${ratio(95)}.`,
  );
  for (const queue of others) await queue.stop();
  await receiver.close();
  await close();
}

await main();
