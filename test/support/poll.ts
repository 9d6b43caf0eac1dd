// Waiting for a condition instead of for a fixed time: checks it every few milliseconds until it holds or a deadline
// passes, so a test is as fast as the machine allows and fails with a clear message when the condition never comes.

export interface PollOptions {
  /** Fails after this long (default 15 s). */
  timeoutMs?: number;
  /** Pause between two checks (default 20 ms). */
  everyMs?: number;
}

type Truthy<T> = Exclude<T, false | null | undefined | '' | 0>;

/**
 * Resolves with the first truthy value `check` returns; throws `Timed out waiting for <what>` after the deadline
 * (with the last error `check` threw, if any).
 */
export async function waitUntil<T>(
  what: string,
  check: () => T | Promise<T>,
  { timeoutMs = 15_000, everyMs = 20 }: PollOptions = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
