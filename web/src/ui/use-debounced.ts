// The value once the agent has stopped typing for a moment: one request per search, not one per key.
import { useEffect, useState } from 'react';

/**
 * Compared by content (JSON), so an object of filters made anew at each render settles once instead of restarting
 * its timer, and rendering again, every `ms`.
 */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key stands for the value, by content.
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [key, ms]);
  return settled;
}
