// The CPU the whole machine spent, by program (postgres, redis-server, node…), read from /proc: on a machine whose
// cores the database, the store and the server share, a path's throughput follows what a request costs them all.
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's counters (USER_HZ: 100 on Linux). */
const TICK_US = 10_000;

export interface MachineCpu {
  /** µs of CPU by program name (/proc/<pid>/stat's comm), processes alive at both readings. */
  byProgram: Map<string, number>;
  /** µs the machine was busy (all cores). */
  busy: number;
}

interface Reading {
  processes: Map<number, { comm: string; ticks: number }>;
  busy: number;
}

function read(): Reading | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const fields = (stat.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields;
  const processes = new Map<number, { comm: string; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const line = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = line.lastIndexOf(')');
      const comm = line.slice(line.indexOf('(') + 1, close);
      const rest = line.slice(close + 2).split(' ');
      // utime and stime: fields 14 and 15 of the line, 12 and 13 after comm and state.
      processes.set(Number(entry), { comm, ticks: Number(rest[11]) + Number(rest[12]) });
    } catch {
      // gone meanwhile
    }
  }
  return { processes, busy: user + nice + system + irq + softirq };
}

/** Reads now; the function returned reads again and answers what was spent between the two. */
export function machineCpuFrom(): () => MachineCpu | undefined {
  const before = read();
  return () => {
    const after = read();
    if (!before || !after) return undefined;
    const byProgram = new Map<string, number>();
    for (const [pid, { comm, ticks }] of after.processes) {
      const was = before.processes.get(pid);
      if (!was || was.comm !== comm) continue;
      byProgram.set(comm, (byProgram.get(comm) ?? 0) + (ticks - was.ticks) * TICK_US);
    }
    return { byProgram, busy: (after.busy - before.busy) * TICK_US };
  };
}
