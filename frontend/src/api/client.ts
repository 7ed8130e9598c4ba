// The typed client of the brokerhub REST API: every call the dashboard makes goes through here.
import type {
  Account,
  Balance,
  Bar,
  Chain,
  Me,
  Order,
  OrderBody,
  Portfolio,
  Preview,
  Quote,
  Supported,
  SymbolMatch,
  SyncResult,
  Timeframe,
  Transactions,
  TransactionType,
} from "./types";

export const API_PREFIX = "/brokerage_integrations/brokerages";

/** An API answer that was not a success, with the server's own words. */
export class ApiError extends Error {
  readonly status: number;
  readonly retryAfter: number | null;
  /** True when a 401 was about the API key itself, not a broker's answer to credentials. */
  readonly keyRejected: boolean;

  constructor(message: string, status: number, retryAfter: number | null = null, keyRejected = false) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.retryAfter = retryAfter;
    this.keyRejected = keyRejected;
  }
}

/** Turn any thrown value into a sentence a person can act on. */
export function plainError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.keyRejected) return "Your API key was not accepted. Check it and sign in again.";
    if (error.status === 429) {
      const wait = error.retryAfter ? ` Try again in ${error.retryAfter} seconds.` : " Try again shortly.";
      return `${error.message || "Too many requests."}${wait}`;
    }
    if (error.status >= 500) return `The server could not do this: ${error.message}`;
    return error.message;
  }
  if (error instanceof TypeError) return "Could not reach the brokerhub server. Is it running?";
  return error instanceof Error ? error.message : String(error);
}

type Query = Record<string, string | number | undefined | null | string[]>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, String(one));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export class Client {
  private readonly key: string;

  /** The key, for the WebSocket, which cannot carry an Authorization header. */
  get apiKey(): string {
    return this.key;
  }

  private readonly onUnauthorized: () => void;

  constructor(key: string, onUnauthorized: () => void = () => undefined) {
    this.key = key;
    this.onUnauthorized = onUnauthorized;
  }

  async request<T>(method: string, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.key}`, Accept: "application/json" };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    let payload: unknown = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    const envelope = (payload ?? {}) as { success?: boolean; error?: string };
    if (!response.ok || envelope.success === false) {
      const retry = Number(response.headers.get("Retry-After"));
      // A 401 is about the API key only if the key no longer opens /me; otherwise a broker
      // refused credentials (a wrong verification code, say) and the session stays.
      const keyRejected = response.status === 401 && !(await this.keyStillWorks(path));
      if (keyRejected) this.onUnauthorized();
      throw new ApiError(
        envelope.error ?? `${response.status} ${response.statusText}`,
        response.status,
        Number.isFinite(retry) && retry > 0 ? retry : null,
        keyRejected,
      );
    }
    return payload as T;
  }

  private async keyStillWorks(failedPath: string): Promise<boolean> {
    const mePath = `${API_PREFIX}/me/`;
    if (failedPath === mePath) return false;
    const response = await fetch(mePath, { headers: { Authorization: `Bearer ${this.key}` } });
    return response.ok;
  }

  private account(id: string): string {
    return `${API_PREFIX}/accounts/${encodeURIComponent(id)}`;
  }

  me(): Promise<Me> {
    return this.request<Me>("GET", `${API_PREFIX}/me/`);
  }

  supported(): Promise<Supported> {
    return this.request<Supported>("GET", `${API_PREFIX}/supported/`);
  }

  async accounts(userId: number): Promise<Account[]> {
    return (await this.request<{ accounts: Account[] }>("GET", `${API_PREFIX}/user/${userId}/accounts/`)).accounts;
  }

  connect(body: {
    user_id: number;
    brokerage_name: string;
    credentials: Record<string, string>;
    account_name?: string;
    environment?: string;
  }): Promise<{ account_id: string; account_ids: string[]; message: string }> {
    return this.request("POST", `${API_PREFIX}/connect/`, { body });
  }

  disconnect(id: string): Promise<{ message: string }> {
    return this.request("DELETE", `${this.account(id)}/disconnect/`);
  }

  sync(id: string, force: boolean): Promise<SyncResult> {
    return this.request<SyncResult>("POST", `${this.account(id)}/sync/`, { body: { force_sync: force } });
  }

  portfolio(id: string): Promise<Portfolio> {
    return this.request<Portfolio>("GET", `${this.account(id)}/portfolio/`);
  }

  balance(id: string): Promise<Balance> {
    return this.request<Balance>("GET", `${this.account(id)}/balance/`);
  }

  transactions(
    id: string,
    filter: { start_date?: string; end_date?: string; transaction_type?: TransactionType | ""; limit: number; offset: number },
  ): Promise<Transactions> {
    return this.request<Transactions>("GET", `${this.account(id)}/transactions/`, { query: filter });
  }

  async preview(id: string, body: OrderBody): Promise<Preview> {
    return (await this.request<{ preview: Preview }>("POST", `${this.account(id)}/orders/preview/`, { body })).preview;
  }

  async place(id: string, body: OrderBody): Promise<Order> {
    return (await this.request<{ order: Order }>("POST", `${this.account(id)}/orders/place/`, { body })).order;
  }

  async orders(id: string): Promise<Order[]> {
    return (await this.request<{ orders: Order[] }>("GET", `${this.account(id)}/orders/`)).orders;
  }

  async cancel(id: string, orderId: string): Promise<Order> {
    const path = `${this.account(id)}/orders/${encodeURIComponent(orderId)}/cancel/`;
    return (await this.request<{ order: Order }>("POST", path)).order;
  }

  async replace(id: string, orderId: string, body: OrderBody): Promise<Order> {
    const path = `${this.account(id)}/orders/${encodeURIComponent(orderId)}/replace/`;
    return (await this.request<{ order: Order }>("POST", path, { body })).order;
  }

  async quotes(id: string, symbols: string[]): Promise<Quote[]> {
    const query = { symbols: symbols.join(",") };
    return (await this.request<{ quotes: Quote[] }>("GET", `${this.account(id)}/quotes/`, { query })).quotes;
  }

  async bars(id: string, symbol: string, timeframe: Timeframe, start: Date, end: Date): Promise<Bar[]> {
    const query = { symbol, timeframe, start: start.toISOString(), end: end.toISOString() };
    return (await this.request<{ bars: Bar[] }>("GET", `${this.account(id)}/bars/`, { query })).bars;
  }

  async expirations(id: string, symbol: string): Promise<string[]> {
    const query = { symbol };
    const path = `${this.account(id)}/options/expirations/`;
    return (await this.request<{ expirations: string[] }>("GET", path, { query })).expirations;
  }

  chain(id: string, symbol: string, expiration: string): Promise<Chain> {
    return this.request<Chain>("GET", `${this.account(id)}/options/chain/`, { query: { symbol, expiration } });
  }

  async search(id: string, q: string): Promise<SymbolMatch[]> {
    const path = `${this.account(id)}/symbols/search/`;
    return (await this.request<{ results: SymbolMatch[] }>("GET", path, { query: { q } })).results;
  }
}

/** Paths this server documents in its OpenAPI schema: how the dashboard learns what exists. */
export async function documentedPaths(): Promise<Set<string>> {
  try {
    const response = await fetch("/openapi.json");
    if (!response.ok) return new Set();
    const schema = (await response.json()) as { paths?: Record<string, unknown> };
    return new Set(Object.keys(schema.paths ?? {}));
  } catch {
    return new Set();
  }
}
