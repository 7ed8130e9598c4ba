import { useEffect, useState, type FormEvent } from "react";

import { API_PREFIX, plainError } from "../api/client";
import type { BrokerageConfiguration, Supported } from "../api/types";
import { Dialog } from "../components/Dialog";
import { Empty, ErrorText, Loading } from "../components/ui";
import { useApp } from "../context";
import { humanize } from "../format";

// The application's own keys an OAuth initiate may carry (the user's tokens come from the flow).
const OAUTH1_APP_FIELDS = ["consumer_key", "consumer_secret"];
const OAUTH2_APP_FIELDS = ["client_id", "client_secret"];
const SECRET_FIELD = /secret|password|token|pin|private/i;
const PENDING_OAUTH = "brokerhub.pendingOAuth";

type Environment = "sandbox" | "production";

interface OAuthStart {
  authorization_url?: string;
  authorize_url?: string;
  url?: string;
}

function authorizeUrl(answer: OAuthStart): string | null {
  return answer.authorization_url ?? answer.authorize_url ?? answer.url ?? null;
}

export function ConnectPage() {
  const { client } = useApp();
  const [supported, setSupported] = useState<Supported | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);

  useEffect(() => {
    client
      .supported()
      .then(setSupported)
      .catch((e: unknown) => setError(plainError(e)));
  }, [client]);

  if (error) return <ErrorText error={error} />;
  if (!supported) return <Loading what="supported brokerages" />;
  if (supported.brokerages.length === 0) return <Empty>This build supports no brokerage.</Empty>;
  const config = chosen ? supported.configurations[chosen] : undefined;
  return (
    <>
      <OAuthReturn />
      <section className="card" aria-labelledby="pick-title">
        <h2 id="pick-title">Pick a brokerage</h2>
        <div className="brokers">
          {supported.brokerages.map((name) => {
            const c = supported.configurations[name];
            return (
              <button
                key={name}
                type="button"
                className="broker"
                aria-pressed={chosen === name}
                onClick={() => setChosen(name)}
              >
                <strong>{c?.display_name ?? name}</strong>
                <span className="muted small">{c ? describeAuth(c.auth_method) : ""}</span>
              </button>
            );
          })}
        </div>
      </section>
      {chosen && config ? <ConnectForm key={chosen} brokerage={chosen} config={config} /> : null}
    </>
  );
}

function describeAuth(method: string): string {
  switch (method) {
    case "none":
      return "No credentials: a simulated account";
    case "oauth1":
      return "Sign in at the broker, then enter a verification code";
    case "oauth2":
      return "Sign in at the broker and come back";
    case "api_key_secret":
      return "API key and secret";
    case "username_password":
      return "Username and password";
    default:
      return humanize(method);
  }
}

function ConnectForm({ brokerage, config }: { brokerage: string; config: BrokerageConfiguration }) {
  const { client, me, reloadAccounts, features } = useApp();
  const [values, setValues] = useState<Record<string, string>>({});
  const [accountName, setAccountName] = useState("");
  const [environment, setEnvironment] = useState<Environment>("sandbox");
  const [missing, setMissing] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [oauth1Url, setOauth1Url] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [codeError, setCodeError] = useState<string | null>(null);
  const isPaper = config.auth_method === "none";
  const isOAuth = config.auth_method === "oauth1" || config.auth_method === "oauth2";
  const oauthBase = `${API_PREFIX}/${encodeURIComponent(brokerage)}`;

  const credentials = () =>
    Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== "").map(([k, v]) => [k, v.trim()]));

  const finish = async (message: string, accountIds: string[]) => {
    // A first sync so balances and positions show at once (the first sync is never limited).
    await Promise.allSettled(accountIds.map((id) => client.sync(id, false)));
    await reloadAccounts();
    setDone(message);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    const absent = isOAuth ? [] : config.required_fields.filter((f) => !values[f]?.trim());
    setMissing(absent);
    if (absent.length > 0) return;
    setBusy(true);
    try {
      if (isOAuth) {
        const answer = await client.request<OAuthStart>("POST", `${oauthBase}/oauth/initiate/`, {
          body: { use_sandbox: environment === "sandbox", ...credentials() },
        });
        const url = authorizeUrl(answer);
        if (!url) throw new Error("The server did not return an authorization link.");
        if (config.auth_method === "oauth1") {
          setOauth1Url(url);
        } else {
          sessionStorage.setItem(PENDING_OAUTH, brokerage);
          window.location.assign(url);
        }
      } else {
        const answer = await client.connect({
          user_id: me.user_id,
          brokerage_name: brokerage,
          credentials: credentials(),
          ...(accountName.trim() ? { account_name: accountName.trim() } : {}),
          ...(isPaper ? {} : { environment }),
        });
        await finish(answer.message, answer.account_ids);
      }
    } catch (caught) {
      setError(plainError(caught));
    } finally {
      setBusy(false);
    }
  };

  const completeOAuth1 = async (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim()) return setCodeError("Enter the verification code the broker showed you.");
    setBusy(true);
    setCodeError(null);
    try {
      const answer = await client.request<{ message?: string; account_id?: string; account_ids?: string[] }>(
        "POST",
        `${oauthBase}/oauth/complete/`,
        { body: { verification_code: code.trim() } },
      );
      setOauth1Url(null);
      await finish(
        answer.message ?? `Connected ${config.display_name}`,
        answer.account_ids ?? (answer.account_id ? [answer.account_id] : []),
      );
    } catch (caught) {
      setCodeError(plainError(caught));
    } finally {
      setBusy(false);
    }
  };

  const fields = isOAuth ? [] : config.required_fields;
  return (
    <>
      <form className="card" onSubmit={(e) => void submit(e)} aria-labelledby="connect-title" noValidate>
        <h2 id="connect-title">Connect {config.display_name}</h2>
        {isOAuth && !features.oauth ? (
          <p className="error" role="alert">
            Connecting {config.display_name} needs the OAuth connect API, which this server does not have yet.
          </p>
        ) : null}
        {fields.map((field) => (
          <label key={field} className="field">
            <span>{humanize(field)} (required)</span>
            <input
              type={SECRET_FIELD.test(field) ? "password" : "text"}
              autoComplete="off"
              value={values[field] ?? ""}
              onChange={(e) => setValues({ ...values, [field]: e.target.value })}
              aria-invalid={missing.includes(field) ? true : undefined}
              aria-describedby={missing.includes(field) ? `${field}-missing` : undefined}
            />
            {missing.includes(field) ? (
              <span className="error" id={`${field}-missing`}>
                {humanize(field)} is required.
              </span>
            ) : null}
          </label>
        ))}
        {isOAuth ? (
          <details>
            <summary>Application keys (leave blank to use the keys configured on the server)</summary>
            {(config.auth_method === "oauth1" ? OAUTH1_APP_FIELDS : OAUTH2_APP_FIELDS).map((field) => (
              <label key={field} className="field">
                <span>{humanize(field)}</span>
                <input
                  type={SECRET_FIELD.test(field) ? "password" : "text"}
                  autoComplete="off"
                  value={values[field] ?? ""}
                  onChange={(e) => setValues({ ...values, [field]: e.target.value })}
                />
              </label>
            ))}
          </details>
        ) : null}
        {!isOAuth && config.optional_fields.length > 0 ? (
          <details>
            <summary>Optional fields</summary>
            {config.optional_fields.map((field) => (
              <label key={field} className="field">
                <span>{humanize(field)}</span>
                <input
                  type={SECRET_FIELD.test(field) ? "password" : "text"}
                  autoComplete="off"
                  value={values[field] ?? ""}
                  onChange={(e) => setValues({ ...values, [field]: e.target.value })}
                />
              </label>
            ))}
          </details>
        ) : null}
        {!isOAuth ? (
          <label className="field">
            <span>Account name (optional)</span>
            <input value={accountName} onChange={(e) => setAccountName(e.target.value)} />
          </label>
        ) : null}
        {isPaper ? (
          <p className="muted">A paper account trades on brokerhub's market simulator with simulated cash. No real money.</p>
        ) : (
          <fieldset className="env">
            <legend>Environment</legend>
            <label>
              <input
                type="radio"
                name="environment"
                checked={environment === "sandbox"}
                onChange={() => setEnvironment("sandbox")}
              />{" "}
              Sandbox (test, no real money)
            </label>{" "}
            <label>
              <input
                type="radio"
                name="environment"
                checked={environment === "production"}
                onChange={() => setEnvironment("production")}
              />{" "}
              Production (your real account; trading stays off until you enable it)
            </label>
          </fieldset>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || (isOAuth && !features.oauth)}>
            {busy ? "Connecting…" : isOAuth ? `Sign in at ${config.display_name}` : "Connect"}
          </button>
        </div>
        <ErrorText error={error} />
        {done ? (
          <p className="ok-text" role="status">
            {done}. <a href="#/accounts">See it in Accounts</a>
          </p>
        ) : null}
      </form>
      <Dialog open={oauth1Url !== null} title={`Authorize ${config.display_name}`} onClose={() => setOauth1Url(null)}>
        <ol>
          <li>
            <a href={oauth1Url ?? "#"} target="_blank" rel="noopener noreferrer">
              Open {config.display_name}'s authorization page
            </a>{" "}
            (a new tab) and sign in.
          </li>
          <li>Accept, then copy the verification code it shows.</li>
        </ol>
        <form onSubmit={(e) => void completeOAuth1(e)} noValidate>
          <label className="field">
            <span>Verification code</span>
            <input
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoComplete="one-time-code"
              aria-invalid={codeError ? true : undefined}
              aria-describedby={codeError ? "code-error" : undefined}
            />
          </label>
          <ErrorText error={codeError} id="code-error" />
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Checking…" : "Complete connection"}
            </button>
            <button type="button" onClick={() => setOauth1Url(null)}>
              Cancel
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

/** Back from an OAuth 2.0 redirect: ask the server whether the brokerage is now connected. */
function OAuthReturn() {
  const { client, reloadAccounts } = useApp();
  const [text, setText] = useState<{ ok: boolean; message: string } | null>(null);
  useEffect(() => {
    const brokerage = sessionStorage.getItem(PENDING_OAUTH);
    if (!brokerage) return;
    sessionStorage.removeItem(PENDING_OAUTH);
    client
      .request<{ authenticated?: boolean }>("GET", `${API_PREFIX}/${encodeURIComponent(brokerage)}/auth/status/`)
      .then(async (status) => {
        await reloadAccounts();
        setText(
          status.authenticated
            ? { ok: true, message: `${brokerage} is connected.` }
            : { ok: false, message: `${brokerage} did not finish connecting. Try again.` },
        );
      })
      .catch((e: unknown) => setText({ ok: false, message: plainError(e) }));
  }, [client, reloadAccounts]);
  if (!text) return null;
  return text.ok ? (
    <p className="ok-text" role="status">
      {text.message}
    </p>
  ) : (
    <ErrorText error={text.message} />
  );
}
