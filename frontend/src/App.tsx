import { useCallback, useEffect, useMemo, useState } from "react";

import { Client, documentedPaths, plainError } from "./api/client";
import type { Account, Me } from "./api/types";
import { Loading } from "./components/ui";
import { AppContext, type AppState, type Features } from "./context";
import { AccountsPage } from "./pages/Accounts";
import { ChartPage } from "./pages/Chart";
import { ConnectPage } from "./pages/Connect";
import { DecisionsPage } from "./pages/Decisions";
import { OrdersPage } from "./pages/Orders";
import { OverviewPage } from "./pages/Overview";
import { SignIn } from "./pages/SignIn";
import { TradePage } from "./pages/Trade";
import { TransactionsPage } from "./pages/Transactions";
import { WebhooksPage } from "./pages/Webhooks";
import { forgetKey, loadKey, saveKey } from "./session";

const PAGES = [
  { path: "overview", title: "Overview", Page: OverviewPage },
  { path: "accounts", title: "Accounts", Page: AccountsPage },
  { path: "transactions", title: "Transactions", Page: TransactionsPage },
  { path: "trade", title: "Trade", Page: TradePage },
  { path: "orders", title: "Orders", Page: OrdersPage },
  { path: "chart", title: "Chart", Page: ChartPage },
  { path: "connect", title: "Connect a broker", Page: ConnectPage },
  { path: "decisions", title: "AI decisions", Page: DecisionsPage },
  { path: "webhooks", title: "Webhooks", Page: WebhooksPage },
] as const;

function currentRoute(): string {
  return window.location.hash.replace(/^#\/?/, "").split("?")[0] || "overview";
}

function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const onChange = () => setRoute(currentRoute());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

function detectFeatures(paths: Set<string>): Features {
  const has = (needle: string) => [...paths].some((p) => p.includes(needle));
  return { oauth: has("/oauth/initiate"), webhooks: has("/webhooks"), decisions: has("decision"), paths };
}

export function App() {
  const [key, setKey] = useState<string | null>(loadKey);
  const [me, setMe] = useState<Me | null>(null);
  const [signInError, setSignInError] = useState<string | null>(null);
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [accountsError, setAccountsError] = useState<string | null>(null);
  const [accountsLoaded, setAccountsLoaded] = useState(false);
  const [accountId, setAccountId] = useState<string | null>(null);
  const [features, setFeatures] = useState<Features>(() => detectFeatures(new Set()));
  const [menuOpen, setMenuOpen] = useState(false);
  const route = useRoute();

  const signOut = useCallback((reason: string | null = null) => {
    forgetKey();
    setKey(null);
    setMe(null);
    setAccounts([]);
    setAccountId(null);
    setSignInError(reason);
  }, []);

  const client = useMemo(
    () => (key ? new Client(key, () => signOut("Your API key is no longer accepted. Sign in again.")) : null),
    [key, signOut],
  );

  const reloadAccounts = useCallback(async () => {
    if (!client || !me) return;
    try {
      const found = await client.accounts(me.user_id);
      setAccounts(found);
      setAccountsError(null);
      setAccountsLoaded(true);
      setAccountId((current) => (current && found.some((a) => a.id === current) ? current : (found[0]?.id ?? null)));
    } catch (error) {
      setAccountsError(plainError(error));
    }
  }, [client, me]);

  useEffect(() => {
    if (!client || me) return;
    let cancelled = false;
    client
      .me()
      .then((who) => {
        if (!cancelled) setMe(who);
      })
      .catch((error: unknown) => {
        if (!cancelled) signOut(plainError(error));
      });
    return () => {
      cancelled = true;
    };
  }, [client, me, signOut]);

  // What the server offers, read once from its OpenAPI document (public, no key needed). Its
  // own effect, so that signing in (which re-runs the effect above) cannot drop the answer.
  useEffect(() => {
    let cancelled = false;
    void documentedPaths().then((paths) => {
      if (!cancelled) setFeatures(detectFeatures(paths));
    });
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    void reloadAccounts();
  }, [reloadAccounts]);

  useEffect(() => setMenuOpen(false), [route]);

  const page = PAGES.find((p) => p.path === route) ?? PAGES[0];
  useEffect(() => {
    document.title = me ? `${page.title} · brokerhub` : "Sign in · brokerhub";
  }, [page, me]);

  if (!key || !client) {
    return (
      <SignIn
        error={signInError}
        onSubmit={(entered) => {
          saveKey(entered);
          setSignInError(null);
          setKey(entered);
        }}
      />
    );
  }
  if (!me) {
    return (
      <main className="center">
        <Loading what="your account" />
      </main>
    );
  }

  const state: AppState = {
    client,
    me,
    accounts,
    accountsLoaded,
    accountsError,
    reloadAccounts,
    accountId,
    setAccountId,
    features,
  };
  const { Page } = page;
  return (
    <AppContext.Provider value={state}>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">brokerhub</span>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="nav"
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <nav id="nav" aria-label="Pages" className={menuOpen ? "open" : undefined}>
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <a href={`#/${p.path}`} aria-current={p === page ? "page" : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span title={`user id ${me.user_id}`}>Signed in as {me.name}</span>
          <button type="button" className="link" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <h1>{page.title}</h1>
        <Page />
      </main>
    </AppContext.Provider>
  );
}
