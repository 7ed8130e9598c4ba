import type { Quote } from "../api/types";
import { fmtMoney, fmtNumber } from "../format";
import type { LiveMode } from "../live";

const MODE_TEXT: Record<LiveMode, string> = {
  connecting: "connecting…",
  stream: "live (streaming)",
  polling: "live (refreshed every few seconds)",
};

/** Bid, ask and last of one symbol, announced politely to screen readers as it changes. */
export function LiveQuote({ quote, mode }: { quote: Quote | undefined; mode: LiveMode }) {
  if (!quote) return <p className="muted">Waiting for a quote…</p>;
  return (
    <div className="quote" aria-label={`Quote for ${quote.symbol}`} data-testid="live-quote">
      <span className="last" aria-live="polite" aria-atomic="true" data-testid="quote-last">
        {fmtMoney(quote.last)}
      </span>
      <span>
        Bid {fmtMoney(quote.bid)} × {fmtNumber(quote.bid_size)}
      </span>
      <span>
        Ask {fmtMoney(quote.ask)} × {fmtNumber(quote.ask_size)}
      </span>
      <span className="muted small" data-testid="quote-time">
        {quote.as_of ? new Date(quote.as_of).toLocaleTimeString() : ""} · {MODE_TEXT[mode]}
      </span>
    </div>
  );
}
