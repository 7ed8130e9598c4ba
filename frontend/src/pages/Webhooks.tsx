import { useCallback, useEffect, useState, type FormEvent } from "react";

import { plainError } from "../api/client";
import { Empty, ErrorText, Loading, Unavailable, Badge } from "../components/ui";
import { useApp } from "../context";
import { accountLabel, fmtTime } from "../format";

const BASE = "/brokerage_integrations/webhooks";

interface Webhook {
  id: string;
  account_id: string;
  webhook_url: string;
  is_active: boolean;
  status: string;
  failing_since: string | null;
  created_at: string;
}

interface Delivery {
  id: number;
  event_id: string;
  event_type: string;
  status: string;
  attempts: number;
  response_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export function WebhooksPage() {
  const { features } = useApp();
  if (!features.webhooks) return <Unavailable what="Webhooks" needs="webhooks API" />;
  return <Webhooks />;
}

function Webhooks() {
  const { client, accounts } = useApp();
  const [hooks, setHooks] = useState<Webhook[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [url, setUrl] = useState("");
  const [accountId, setAccountId] = useState(accounts[0]?.id ?? "");
  const [formError, setFormError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setHooks((await client.request<{ webhooks: Webhook[] }>("GET", `${BASE}/`)).webhooks);
      setError(null);
    } catch (e) {
      setError(plainError(e));
    }
  }, [client]);

  useEffect(() => {
    void load();
  }, [load]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setSecret(null);
    if (!/^https?:\/\/\S+$/.test(url.trim())) return setFormError("Enter an http:// or https:// URL.");
    if (!accountId) return setFormError("Pick an account.");
    setFormError(null);
    try {
      const made = await client.request<{ signing_secret: string }>("POST", `${BASE}/`, {
        body: { account_id: accountId, webhook_url: url.trim(), is_active: true },
      });
      setSecret(made.signing_secret);
      setUrl("");
      await load();
    } catch (e) {
      setFormError(plainError(e));
    }
  };

  return (
    <>
      <form className="card" onSubmit={(e) => void create(e)} aria-labelledby="new-hook" noValidate>
        <h2 id="new-hook">Add a webhook</h2>
        <div className="form-row">
          <label className="field">
            <span>Account</span>
            <select value={accountId} onChange={(e) => setAccountId(e.target.value)}>
              {accounts.map((a) => (
                <option key={a.id} value={a.id}>
                  {accountLabel(a)}
                </option>
              ))}
            </select>
          </label>
          <label className="field grow">
            <span>URL to POST events to</span>
            <input
              type="url"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              placeholder="https://example.com/hooks/brokerhub"
              aria-invalid={formError ? true : undefined}
            />
          </label>
          <button type="submit" className="primary">
            Add webhook
          </button>
        </div>
        <ErrorText error={formError} />
        {secret ? (
          <p role="status">
            Signing secret (shown once — store it now to verify the <code>webhook-signature</code> header):{" "}
            <code>{secret}</code>
          </p>
        ) : null}
      </form>
      <ErrorText error={error} />
      {hooks === null ? (
        !error && <Loading what="webhooks" />
      ) : hooks.length === 0 ? (
        <Empty>
          <p>No webhooks yet.</p>
        </Empty>
      ) : (
        hooks.map((hook) => <HookCard key={hook.id} hook={hook} onChanged={load} />)
      )}
    </>
  );
}

function HookCard({ hook, onChanged }: { hook: Webhook; onChanged: () => Promise<void> }) {
  const { client } = useApp();
  const [error, setError] = useState<string | null>(null);
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const path = `${BASE}/${encodeURIComponent(hook.id)}/`;

  const act = async (run: () => Promise<unknown>) => {
    setError(null);
    try {
      await run();
      await onChanged();
    } catch (e) {
      setError(plainError(e));
    }
  };
  const showDeliveries = async () => {
    try {
      setDeliveries((await client.request<{ deliveries: Delivery[] }>("GET", `${path}deliveries/`)).deliveries);
    } catch (e) {
      setError(plainError(e));
    }
  };

  return (
    <section className="card" aria-label={`Webhook ${hook.webhook_url}`}>
      <div className="card-head">
        <div>
          <strong>{hook.webhook_url}</strong>{" "}
          <Badge tone={hook.status === "active" ? "ok" : "bad"}>{hook.status}</Badge>{" "}
          {!hook.is_active ? <Badge tone="info">paused</Badge> : null}
          <div className="muted small">
            added {fmtTime(hook.created_at)}
            {hook.failing_since ? ` · failing since ${fmtTime(hook.failing_since)}` : ""}
          </div>
        </div>
        <div className="actions">
          <button
            type="button"
            onClick={() => void act(() => client.request("PATCH", path, { body: { is_active: !hook.is_active } }))}
          >
            {hook.is_active ? "Pause" : "Resume"}
          </button>
          <button type="button" onClick={() => void showDeliveries()}>
            Deliveries
          </button>
          <button type="button" className="danger" onClick={() => void act(() => client.request("DELETE", path))}>
            Delete
          </button>
        </div>
      </div>
      <ErrorText error={error} />
      {deliveries !== null ? (
        deliveries.length === 0 ? (
          <p className="muted">No deliveries yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">Deliveries, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col">Attempts</th>
                  <th scope="col">Response</th>
                  <th scope="col">When</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {deliveries.map((d) => (
                  <tr key={d.id}>
                    <td>{d.event_type}</td>
                    <td>
                      {d.status}
                      {d.last_error ? <span className="error small"> · {d.last_error}</span> : null}
                    </td>
                    <td>{d.attempts}</td>
                    <td>{d.response_status ?? "—"}</td>
                    <td>{fmtTime(d.delivered_at ?? d.created_at)}</td>
                    <td>
                      <button
                        type="button"
                        onClick={() =>
                          void act(() => client.request("POST", `${path}deliveries/${d.id}/redeliver/`)).then(
                            showDeliveries,
                          )
                        }
                      >
                        Redeliver
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
    </section>
  );
}
