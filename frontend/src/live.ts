// Live quotes: the server's WebSocket `/ws` when it has one (the seed's subscribe message),
// else the quotes endpoint polled every POLL_MS. Polling pauses while the tab is hidden.
import { useEffect, useRef, useState } from "react";

import { plainError, type Client } from "./api/client";
import type { Quote } from "./api/types";

export const POLL_MS = 2500;
const WS_READY_DEADLINE_MS = 4000;

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

export type LiveMode = "connecting" | "stream" | "polling";

interface StreamMessage {
  type: string;
  feed?: string;
  data?: Quote;
  error?: string;
}

/**
 * Open `/ws`, subscribe to `symbols` on `feed`, and call `onQuote` for each quote. Calls
 * `onFail` if the stream cannot be opened (no `/ws` in this build) or drops.
 */
function openStream(
  key: string,
  feed: string,
  symbols: string[],
  onQuote: (quote: Quote) => void,
  onOpen: () => void,
  onFail: () => void,
): () => void {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  let socket: WebSocket;
  let closedByUs = false;
  let failed = false;
  const fail = () => {
    if (failed || closedByUs) return;
    failed = true;
    onFail();
  };
  try {
    socket = new WebSocket(`${scheme}://${window.location.host}/ws?api_key=${encodeURIComponent(key)}`);
  } catch {
    onFail();
    return () => undefined;
  }
  const deadline = window.setTimeout(fail, WS_READY_DEADLINE_MS);
  socket.onopen = () => socket.send(JSON.stringify({ action: "subscribe", feed, symbols }));
  socket.onmessage = (event: MessageEvent<string>) => {
    let message: StreamMessage;
    try {
      message = JSON.parse(event.data) as StreamMessage;
    } catch {
      return;
    }
    if (message.type === "subscribed") {
      window.clearTimeout(deadline);
      onOpen();
    } else if (message.type === "quote" && message.data && message.feed === feed) {
      onQuote(message.data);
    } else if (message.type === "error") {
      window.clearTimeout(deadline);
      fail();
    }
  };
  socket.onerror = fail;
  socket.onclose = fail;
  return () => {
    closedByUs = true;
    window.clearTimeout(deadline);
    socket.close();
  };
}

/** Latest quotes of `symbols` through the account's broker, live. */
export function useLiveQuotes(
  client: Client,
  account: { id: string; brokerage_name: string } | null,
  symbols: string[],
) {
  const [quotes, setQuotes] = useState<Record<string, Quote>>({});
  const [error, setError] = useState<string | null>(null);
  const [mode, setMode] = useState<LiveMode>("connecting");
  const key = symbols.join(",");
  const accountId = account?.id ?? null;
  const feed = account?.brokerage_name ?? null;

  useEffect(() => {
    setQuotes({});
    setError(null);
    if (!accountId || !feed || !key) return;
    setMode("connecting");
    // A first answer right away over REST, whichever way updates arrive after.
    client
      .quotes(accountId, key.split(","))
      .then((fresh) => setQuotes((old) => ({ ...Object.fromEntries(fresh.map((q) => [q.symbol, q])), ...old })))
      .catch((caught: unknown) => setError(plainError(caught)));
    return openStream(
      client.apiKey,
      feed,
      key.split(","),
      (quote) => setQuotes((old) => ({ ...old, [quote.symbol]: quote })),
      () => setMode("stream"),
      () => setMode("polling"),
    );
  }, [client, accountId, feed, key]);

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
    mode === "polling" && Boolean(accountId && key),
  );
  return { quotes, error, mode };
}
