import {
  CandlestickSeries,
  ColorType,
  createChart,
  HistogramSeries,
  type CandlestickData,
  type IChartApi,
  type ISeriesApi,
  type UTCTimestamp,
} from "lightweight-charts";
import { useEffect, useRef, useState } from "react";

import { plainError } from "../api/client";
import { TIMEFRAMES, type Bar, type Timeframe } from "../api/types";
import { AccountPicker } from "../components/AccountPicker";
import { LiveQuote } from "../components/LiveQuote";
import { SymbolSearch } from "../components/SymbolSearch";
import { Empty, ErrorText, Loading } from "../components/ui";
import { useAccount, useApp } from "../context";
import { useInterval, useLiveQuotes } from "../live";

const SECONDS: Record<Timeframe, number> = { "1Min": 60, "5Min": 300, "15Min": 900, "1Hour": 3600, "1Day": 86400 };
const BARS_SHOWN = 200;
const REFRESH_MS = 10_000;

function toTime(iso: string): UTCTimestamp {
  return Math.floor(new Date(iso).getTime() / 1000) as UTCTimestamp;
}

function candle(bar: Bar): CandlestickData<UTCTimestamp> {
  return { time: toTime(bar.start), open: bar.open, high: bar.high, low: bar.low, close: bar.close };
}

function volume(bar: Bar) {
  return { time: toTime(bar.start), value: bar.volume, color: bar.close >= bar.open ? "#16a34a80" : "#dc262680" };
}

export function ChartPage() {
  const { client } = useApp();
  const account = useAccount();
  const [symbol, setSymbol] = useState("AAPL");
  const [timeframe, setTimeframe] = useState<Timeframe>("1Min");
  const [error, setError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [count, setCount] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<IChartApi | null>(null);
  const candles = useRef<ISeriesApi<"Candlestick"> | null>(null);
  const volumes = useRef<ISeriesApi<"Histogram"> | null>(null);
  const last = useRef<CandlestickData<UTCTimestamp> | null>(null);
  const { quotes, mode } = useLiveQuotes(client, account, symbol ? [symbol] : []);
  const accountId = account?.id ?? null;

  useEffect(() => {
    if (!box.current) return;
    const dark = window.matchMedia("(prefers-color-scheme: dark)").matches;
    const made = createChart(box.current, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: "transparent" }, textColor: dark ? "#e6e9ef" : "#14171f" },
      grid: { vertLines: { color: dark ? "#2a303b" : "#eef0f3" }, horzLines: { color: dark ? "#2a303b" : "#eef0f3" } },
      timeScale: { timeVisible: true, secondsVisible: false },
    });
    candles.current = made.addSeries(CandlestickSeries, {});
    volumes.current = made.addSeries(HistogramSeries, { priceFormat: { type: "volume" }, priceScaleId: "" });
    volumes.current.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    chart.current = made;
    return () => {
      made.remove();
      chart.current = null;
    };
  }, []);

  const fetchBars = async (howMany: number): Promise<Bar[]> => {
    if (!accountId) return [];
    const end = new Date();
    const start = new Date(end.getTime() - howMany * SECONDS[timeframe] * 1000);
    return client.bars(accountId, symbol, timeframe, start, end);
  };

  // Full history when the symbol, interval or account changes.
  useEffect(() => {
    if (!accountId || !symbol) return;
    let cancelled = false;
    setLoaded(false);
    setError(null);
    fetchBars(BARS_SHOWN)
      .then((bars) => {
        if (cancelled) return;
        candles.current?.setData(bars.map(candle));
        volumes.current?.setData(bars.map(volume));
        last.current = bars.length ? candle(bars[bars.length - 1]!) : null;
        chart.current?.timeScale().fitContent();
        setCount(bars.length);
        setLoaded(true);
      })
      .catch((e: unknown) => {
        if (!cancelled) (setError(plainError(e)), setLoaded(true));
      });
    return () => {
      cancelled = true;
    };
  }, [client, accountId, symbol, timeframe]);

  // Recent bars now and then, for exact candles and volume.
  useInterval(
    async () => {
      try {
        for (const bar of await fetchBars(3)) {
          const c = candle(bar);
          if (last.current && c.time < last.current.time) continue;
          candles.current?.update(c);
          volumes.current?.update(volume(bar));
          last.current = c;
        }
      } catch {
        // the next refresh tries again; the full load shows errors
      }
    },
    REFRESH_MS,
    loaded && !error,
  );

  // Every live quote moves the last candle.
  const quote = quotes[symbol];
  useEffect(() => {
    const price = quote?.last;
    const bar = last.current;
    if (price === null || price === undefined || !bar || !candles.current) return;
    const now = Math.floor(Date.now() / 1000);
    const step = SECONDS[timeframe];
    const time = (now - (now % step)) as UTCTimestamp;
    const next =
      time > bar.time
        ? { time, open: price, high: price, low: price, close: price }
        : { ...bar, high: Math.max(bar.high, price), low: Math.min(bar.low, price), close: price };
    candles.current.update(next);
    last.current = next;
  }, [quote, timeframe]);

  if (!account) return <Empty>Connect an account to see charts.</Empty>;
  return (
    <>
      <div className="card form-row">
        <AccountPicker />
        <SymbolSearch accountId={account.id} value={symbol} onChange={setSymbol} />
        <label className="field">
          <span>Interval</span>
          <select value={timeframe} onChange={(e) => setTimeframe(e.target.value as Timeframe)}>
            {TIMEFRAMES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <LiveQuote quote={quote} mode={mode} />
      </div>
      <ErrorText error={error} />
      {!loaded ? <Loading what={`${symbol} bars`} /> : null}
      {loaded && !error && count === 0 ? <p className="muted">No bars for {symbol} in this range.</p> : null}
      <section className="card">
        <div
          ref={box}
          className="chart-box"
          role="img"
          aria-label={`${symbol} candles and volume, ${timeframe} bars${quote?.last != null ? `, last ${quote.last}` : ""}`}
        />
      </section>
    </>
  );
}
