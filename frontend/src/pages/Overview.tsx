import { useEffect, useState } from "react";

import { plainError } from "../api/client";
import type { Balance, Position } from "../api/types";
import { AllocationChart } from "../components/AllocationChart";
import { Empty, ErrorText, Loading } from "../components/ui";
import { useApp } from "../context";
import { accountLabel, fmtMoney, fmtSigned, fmtTime, humanize, pnlClass } from "../format";

interface AccountData {
  id: string;
  label: string;
  balance: Balance | null;
  positions: Position[];
  error: string | null;
}

const MAX_DAY_PNL_SYMBOLS = 20;

export function OverviewPage() {
  const { client, accounts, accountsLoaded, accountsError } = useApp();
  const [data, setData] = useState<AccountData[] | null>(null);
  const [dayPnl, setDayPnl] = useState<number | null>(null);

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      const loaded = await Promise.all(
        accounts.map(async (account): Promise<AccountData> => {
          const label = accountLabel(account);
          try {
            const [balance, portfolio] = await Promise.all([client.balance(account.id), client.portfolio(account.id)]);
            return { id: account.id, label, balance, positions: portfolio.portfolio, error: null };
          } catch (error) {
            return { id: account.id, label, balance: null, positions: [], error: plainError(error) };
          }
        }),
      );
      if (cancelled) return;
      setData(loaded);
      // Day P&L of the positions held: quantity x (current price - previous daily close).
      const held = loaded.flatMap((a) => a.positions.filter((p) => p.asset_class === "equity").map((p) => ({ a, p })));
      const symbols = [...new Set(held.map(({ p }) => p.symbol))].slice(0, MAX_DAY_PNL_SYMBOLS);
      const first = loaded.find((a) => !a.error);
      if (!first || symbols.length === 0) {
        setDayPnl(symbols.length === 0 ? 0 : null);
        return;
      }
      try {
        const end = new Date();
        const start = new Date(end.getTime() - 7 * 86_400_000);
        const previous = new Map<string, number>();
        await Promise.all(
          symbols.map(async (symbol) => {
            const bars = await client.bars(first.id, symbol, "1Day", start, end);
            const prior = bars.length >= 2 ? bars[bars.length - 2] : undefined;
            if (prior) previous.set(symbol, prior.close);
          }),
        );
        const total = held.reduce((sum, { p }) => {
          const close = previous.get(p.symbol);
          return close === undefined ? sum : sum + p.quantity * (p.current_price - close);
        }, 0);
        if (!cancelled) setDayPnl(total);
      } catch {
        if (!cancelled) setDayPnl(null);
      }
    };
    void load();
    return () => {
      cancelled = true;
    };
  }, [client, accounts]);

  if (accountsError) return <ErrorText error={accountsError} />;
  if (!accountsLoaded) return <Loading what="your accounts" />;
  if (accounts.length === 0) {
    return (
      <Empty>
        <p>No brokerage account is connected yet.</p>
        <a className="button primary" href="#/connect">
          Connect a broker
        </a>
      </Empty>
    );
  }
  if (!data) return <Loading what="balances and positions" />;

  const sum = (pick: (b: Balance) => number) => data.reduce((s, a) => s + (a.balance ? pick(a.balance) : 0), 0);
  const positions = data.flatMap((a) => a.positions);
  const totalPnl = positions.reduce((s, p) => s + p.unrealized_pnl, 0);
  const byClass = new Map<string, number>();
  for (const p of positions) byClass.set(p.asset_class, (byClass.get(p.asset_class) ?? 0) + p.market_value);
  byClass.set("cash", sum((b) => b.cash_balance));
  const failed = data.filter((a) => a.error);

  return (
    <>
      <section className="tiles" aria-label="Totals across all connections">
        <Tile label="Total value" value={fmtMoney(sum((b) => b.total_value))} />
        <Tile label="Cash" value={fmtMoney(sum((b) => b.cash_balance))} />
        <Tile label="Buying power" value={fmtMoney(sum((b) => b.buying_power))} />
        <Tile label="Day P&L" value={dayPnl === null ? "—" : fmtSigned(dayPnl)} tone={pnlClass(dayPnl)} />
        <Tile label="Unrealized P&L" value={fmtSigned(totalPnl)} tone={pnlClass(totalPnl)} />
      </section>
      {failed.map((a) => (
        <ErrorText key={a.id} error={`${a.label}: ${a.error}`} />
      ))}
      <div className="grid2">
        <section className="card">
          <AllocationChart
            title="Allocation by asset class"
            slices={[...byClass].map(([label, value]) => ({ label: humanize(label), value }))}
          />
        </section>
        <section className="card">
          <AllocationChart
            title="Allocation by account"
            slices={data.map((a) => ({ label: a.label, value: a.balance?.total_value ?? 0 }))}
          />
        </section>
      </div>
      <section className="card">
        <h2>Connections</h2>
        <ul className="plain">
          {accounts.map((account) => (
            <li key={account.id}>
              <strong>{accountLabel(account)}</strong> · {account.brokerage_name} · {account.environment} · last
              sync {fmtTime(account.last_sync)}
              {account.last_error ? <span className="error"> · {account.last_error}</span> : null}
            </li>
          ))}
        </ul>
        <p className="muted small">
          Balances are live from each broker; positions and P&L are as of each account's last sync. Day P&L compares the
          positions held with the previous daily close.
        </p>
      </section>
    </>
  );
}

function Tile({ label, value, tone = "" }: { label: string; value: string; tone?: string }) {
  return (
    <div className="tile">
      <span className="tile-label">{label}</span>
      <span className={`tile-value ${tone}`}>{value}</span>
    </div>
  );
}
