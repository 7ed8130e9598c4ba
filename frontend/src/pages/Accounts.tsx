import { useCallback, useEffect, useState } from "react";

import { ApiError, plainError } from "../api/client";
import type { Account, Balance, Portfolio, Position } from "../api/types";
import { SortableTable, type Column } from "../components/SortableTable";
import { Badge, Empty, ErrorText, Loading } from "../components/ui";
import { useApp } from "../context";
import { accountLabel, fmtMoney, fmtNumber, fmtPercent, fmtSigned, fmtTime, pnlClass } from "../format";

const POSITION_COLUMNS: Column<Position>[] = [
  { key: "symbol", label: "Symbol", value: (p) => p.symbol },
  { key: "quantity", label: "Quantity", value: (p) => p.quantity, render: (p) => fmtNumber(p.quantity), numeric: true },
  {
    key: "average_price",
    label: "Avg price",
    value: (p) => p.average_price,
    render: (p) => fmtMoney(p.average_price),
    numeric: true,
  },
  {
    key: "current_price",
    label: "Price",
    value: (p) => p.current_price,
    render: (p) => fmtMoney(p.current_price),
    numeric: true,
  },
  {
    key: "market_value",
    label: "Market value",
    value: (p) => p.market_value,
    render: (p) => fmtMoney(p.market_value),
    numeric: true,
  },
  {
    key: "unrealized_pnl",
    label: "Unrealized P&L",
    value: (p) => p.unrealized_pnl,
    render: (p) => <span className={pnlClass(p.unrealized_pnl)}>{fmtSigned(p.unrealized_pnl)}</span>,
    numeric: true,
  },
  {
    key: "unrealized_pnl_percent",
    label: "P&L %",
    value: (p) => p.unrealized_pnl_percent,
    render: (p) => <span className={pnlClass(p.unrealized_pnl_percent)}>{fmtPercent(p.unrealized_pnl_percent)}</span>,
    numeric: true,
  },
];

export function AccountsPage() {
  const { accounts, accountsLoaded, accountsError } = useApp();
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
  return (
    <>
      {accounts.map((account) => (
        <AccountCard key={account.id} account={account} />
      ))}
    </>
  );
}

type SyncState =
  | { kind: "idle" }
  | { kind: "running" }
  | { kind: "done"; message: string }
  | { kind: "failed"; message: string; limited: boolean };

function AccountCard({ account }: { account: Account }) {
  const { client, reloadAccounts } = useApp();
  const [balance, setBalance] = useState<Balance | null>(null);
  const [balanceError, setBalanceError] = useState<string | null>(null);
  const [portfolio, setPortfolio] = useState<Portfolio | null>(null);
  const [portfolioError, setPortfolioError] = useState<string | null>(null);
  const [sync, setSync] = useState<SyncState>({ kind: "idle" });
  const [disconnectError, setDisconnectError] = useState<string | null>(null);
  const label = accountLabel(account);
  const titleId = `account-${account.id}`;

  const load = useCallback(async () => {
    await Promise.all([
      client
        .balance(account.id)
        .then((b) => (setBalance(b), setBalanceError(null)))
        .catch((e: unknown) => setBalanceError(plainError(e))),
      client
        .portfolio(account.id)
        .then((p) => (setPortfolio(p), setPortfolioError(null)))
        .catch((e: unknown) => setPortfolioError(plainError(e))),
    ]);
  }, [client, account.id]);

  useEffect(() => {
    void load();
  }, [load]);

  const runSync = async (force: boolean) => {
    setSync({ kind: "running" });
    try {
      const result = await client.sync(account.id, force);
      setSync({
        kind: "done",
        message: `Synced: ${result.portfolio_count} positions, ${result.new_transactions_count} new transactions.`,
      });
      await Promise.all([load(), reloadAccounts()]);
    } catch (error) {
      const limited = error instanceof ApiError && error.status === 429;
      setSync({ kind: "failed", message: plainError(error), limited });
      await reloadAccounts();
    }
  };

  const disconnect = async () => {
    if (!window.confirm(`Disconnect ${label}? Its positions, transactions and stored credentials are removed.`)) return;
    try {
      await client.disconnect(account.id);
      await reloadAccounts();
    } catch (error) {
      setDisconnectError(plainError(error));
    }
  };

  const tone = account.status === "connected" ? "ok" : account.status === "error" ? "bad" : "warn";
  return (
    <section className="card account" aria-labelledby={titleId} data-account-id={account.id}>
      <header className="card-head">
        <h2 id={titleId}>
          {label} <Badge tone={tone}>{account.status}</Badge> <Badge tone="info">{account.environment}</Badge>
        </h2>
        <div className="actions">
          <button
            type="button"
            onClick={() => void runSync(false)}
            disabled={sync.kind === "running"}
            aria-describedby={`${titleId}-sync`}
          >
            Sync now
          </button>
          <button type="button" className="danger" onClick={() => void disconnect()}>
            Disconnect
          </button>
        </div>
      </header>
      <div id={`${titleId}-sync`} className="sync-line" aria-live="polite">
        {sync.kind === "running" ? (
          <span className="progress" role="progressbar" aria-label={`Syncing ${label}`}>
            <span />
          </span>
        ) : null}
        <span className="muted">
          {account.brokerage_name} · last sync {fmtTime(account.last_sync)}
        </span>
        {sync.kind === "done" ? <span className="ok-text">{sync.message}</span> : null}
        {account.last_error && sync.kind !== "done" ? (
          <span className="error">Last sync error: {account.last_error}</span>
        ) : null}
      </div>
      {sync.kind === "failed" ? (
        <div className="inline-error">
          <ErrorText error={sync.message} />
          {sync.limited ? (
            <button type="button" onClick={() => void runSync(true)}>
              Sync anyway
            </button>
          ) : null}
        </div>
      ) : null}
      <ErrorText error={disconnectError} />
      {balanceError ? <ErrorText error={`Balance: ${balanceError}`} /> : null}
      {balance ? (
        <dl className="balances">
          <div>
            <dt>Total value</dt>
            <dd>{fmtMoney(balance.total_value)}</dd>
          </div>
          <div>
            <dt>Cash</dt>
            <dd>{fmtMoney(balance.cash_balance)}</dd>
          </div>
          <div>
            <dt>Buying power</dt>
            <dd>{fmtMoney(balance.buying_power)}</dd>
          </div>
          <div>
            <dt>Long market value</dt>
            <dd>{fmtMoney(balance.long_market_value)}</dd>
          </div>
        </dl>
      ) : !balanceError ? (
        <Loading what="balance" />
      ) : null}
      <h3>Positions</h3>
      {portfolioError ? <ErrorText error={`Positions: ${portfolioError}`} /> : null}
      {portfolio === null ? (
        !portfolioError && <Loading what="positions" />
      ) : portfolio.portfolio.length === 0 ? (
        <Empty>
          <p>No positions as of the last sync.</p>
        </Empty>
      ) : (
        <SortableTable
          caption={`Positions of ${label}, as of the last sync`}
          columns={POSITION_COLUMNS}
          rows={portfolio.portfolio}
          rowKey={(p) => p.symbol}
          initialSort={{ key: "market_value", descending: true }}
        />
      )}
    </section>
  );
}
