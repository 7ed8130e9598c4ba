import { createContext, useContext } from "react";

import type { Client } from "./api/client";
import type { Account, Me } from "./api/types";

/** What the server offers beyond the core API, learned from its OpenAPI schema. */
export interface Features {
  oauth: boolean;
  webhooks: boolean;
  decisions: boolean;
  paths: Set<string>;
}

export interface AppState {
  client: Client;
  me: Me;
  accounts: Account[];
  /** False until the first list of accounts arrived (so "none yet" is never shown early). */
  accountsLoaded: boolean;
  accountsError: string | null;
  reloadAccounts: () => Promise<void>;
  accountId: string | null;
  setAccountId: (id: string) => void;
  features: Features;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error("useApp outside the signed-in app");
  return state;
}

/** The account the pages work on (falls back to the first). */
export function useAccount() {
  const { accounts, accountId } = useApp();
  return accounts.find((a) => a.id === accountId) ?? accounts[0] ?? null;
}
