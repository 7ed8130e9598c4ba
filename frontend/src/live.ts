// Live quotes for the dashboard. This build's server has no WebSocket stream, so quotes are
// polled from the quotes endpoint every POLL_MS; when a tab is hidden polling pauses.
import { useEffect, useRef, useState } from "react";

import { plainError, type Client } from "./api/client";
import type { Quote } from "./api/types";

export const POLL_MS = 2000;

/** Call `tick` now and every `ms` while the page is visible; stop on unmount. */
export function useInterval(tick: () => void | Promise<void>, ms: number, enabled = true): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: number | undefined;
    const run = async () => {
      if (stopped) return;
      if (document.visibilityState !== "hidden") await saved.current();
      if (!stopped) timer = window.setTimeout(run, ms);
    };
    void run();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [ms, enabled]);
}

export function useLiveQuotes(client: Client, accountId: string | null, symbols: string[]) {
  const [quotes, setQuotes] = useState<Record<string, Quote>>({});
  const [error, setError] = useState<string | null>(null);
  const key = symbols.join(",");
  useEffect(() => setQuotes({}), [accountId, key]);
  useInterval(
    async () => {
      if (!accountId || !key) return;
      try {
        const fresh = await client.quotes(accountId, key.split(","));
        setQuotes(Object.fromEntries(fresh.map((q) => [q.symbol, q])));
        setError(null);
      } catch (caught) {
        setError(plainError(caught));
      }
    },
    POLL_MS,
    Boolean(accountId && key),
  );
  return { quotes, error };
}
