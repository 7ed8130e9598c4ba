// The API key lives in this tab's sessionStorage only: gone when the tab closes or on sign-out.
const KEY_NAME = "brokerhub.apiKey";

export function loadKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_NAME);
  } catch {
    return null;
  }
}

export function saveKey(key: string): void {
  try {
    sessionStorage.setItem(KEY_NAME, key);
  } catch {
    // Storage refused (private mode): the key then lives in memory for this page only.
  }
}

export function forgetKey(): void {
  try {
    sessionStorage.removeItem(KEY_NAME);
  } catch {
    // nothing stored
  }
}
