import { useEffect, useState, type FormEvent } from "react";

import { plainError } from "../api/client";
import { TRANSACTION_TYPES, type Transaction, type TransactionType } from "../api/types";
import { AccountPicker } from "../components/AccountPicker";
import { Empty, ErrorText, Loading } from "../components/ui";
import { useAccount, useApp } from "../context";
import { fmtMoney, fmtNumber, fmtTime, humanize } from "../format";

const PAGE_SIZE = 25;

interface Filter {
  start_date: string;
  end_date: string;
  transaction_type: TransactionType | "";
}

export function TransactionsPage() {
  const { client } = useApp();
  const account = useAccount();
  const [draft, setDraft] = useState<Filter>({ start_date: "", end_date: "", transaction_type: "" });
  const [filter, setFilter] = useState<Filter>(draft);
  const [offset, setOffset] = useState(0);
  const [rows, setRows] = useState<Transaction[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  useEffect(() => {
    if (!account) return;
    let cancelled = false;
    setRows(null);
    client
      .transactions(account.id, { ...filter, limit: PAGE_SIZE, offset })
      .then((found) => {
        if (!cancelled) (setRows(found.transactions), setError(null));
      })
      .catch((e: unknown) => {
        if (!cancelled) (setError(plainError(e)), setRows([]));
      });
    return () => {
      cancelled = true;
    };
  }, [client, account, filter, offset]);

  const apply = (event: FormEvent) => {
    event.preventDefault();
    if (draft.start_date && draft.end_date && draft.start_date > draft.end_date) {
      setFormError("The start date must be on or before the end date.");
      return;
    }
    setFormError(null);
    setOffset(0);
    setFilter(draft);
  };

  if (!account) return <Empty>No account connected.</Empty>;
  return (
    <>
      <form className="card filters" onSubmit={apply} aria-label="Filter transactions">
        <AccountPicker />
        <label className="field inline">
          <span>From</span>
          <input
            type="date"
            value={draft.start_date}
            onChange={(e) => setDraft({ ...draft, start_date: e.target.value })}
            aria-invalid={formError ? true : undefined}
          />
        </label>
        <label className="field inline">
          <span>To</span>
          <input
            type="date"
            value={draft.end_date}
            onChange={(e) => setDraft({ ...draft, end_date: e.target.value })}
            aria-invalid={formError ? true : undefined}
          />
        </label>
        <label className="field inline">
          <span>Type</span>
          <select
            value={draft.transaction_type}
            onChange={(e) => setDraft({ ...draft, transaction_type: e.target.value as TransactionType | "" })}
          >
            <option value="">All types</option>
            {TRANSACTION_TYPES.map((t) => (
              <option key={t} value={t}>
                {humanize(t)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Apply
        </button>
        <ErrorText error={formError} />
      </form>
      <ErrorText error={error} />
      {rows === null ? (
        <Loading what="transactions" />
      ) : rows.length === 0 ? (
        <Empty>
          <p>{offset > 0 ? "No more transactions." : "No transactions match these filters (as of the last sync)."}</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Transactions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Type</th>
                <th scope="col">Symbol</th>
                <th scope="col" className="num">
                  Quantity
                </th>
                <th scope="col" className="num">
                  Price
                </th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col" className="num">
                  Fees
                </th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.transaction_id}>
                  <td data-label="Date">{fmtTime(t.transaction_date)}</td>
                  <td data-label="Type">{humanize(t.transaction_type)}</td>
                  <td data-label="Symbol">{t.symbol ?? "—"}</td>
                  <td data-label="Quantity" className="num">
                    {fmtNumber(t.quantity)}
                  </td>
                  <td data-label="Price" className="num">
                    {fmtMoney(t.price)}
                  </td>
                  <td data-label="Amount" className="num">
                    {fmtMoney(t.net_amount)}
                  </td>
                  <td data-label="Fees" className="num">
                    {fmtMoney(t.fees)}
                  </td>
                  <td data-label="Description">{t.description ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Pages of transactions">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
          Previous
        </button>
        <span className="muted">
          {rows && rows.length > 0 ? `${offset + 1}–${offset + rows.length}` : ""}
        </span>
        <button
          type="button"
          disabled={rows === null || rows.length < PAGE_SIZE}
          onClick={() => setOffset(offset + PAGE_SIZE)}
        >
          Next
        </button>
      </nav>
    </>
  );
}
