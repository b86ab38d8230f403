import { splitTokenFragment } from './admin-token.js';

const TOKEN_STORAGE_KEY = 'cloudburst.adminToken';

/**
 * The admin token for this browser tab. It comes from `#token=...` in the address (removed from
 * the address bar and history at once) or from the sign-in form, and is kept in sessionStorage so
 * a reload keeps the tab signed in. The token must never be logged.
 */
export class AdminSession {
  token = $state<string | null>(null);
  /** Set when the server rejected the last token, so the sign-in form can explain why it is shown again. */
  rejected = $state(false);

  constructor() {
    const fromFragment = takeTokenFromAddress();
    if (fromFragment) {
      this.signIn(fromFragment);
    } else {
      this.token = readStoredToken();
    }
  }

  signIn(token: string): void {
    const trimmed = token.trim();
    if (!trimmed) return;
    this.token = trimmed;
    this.rejected = false;
    writeStoredToken(trimmed);
  }

  signOut(): void {
    this.token = null;
    writeStoredToken(null);
  }

  /** Signs out because the server rejected the token. */
  reject(): void {
    this.signOut();
    this.rejected = true;
  }
}

function takeTokenFromAddress(): string | null {
  const { token, rest } = splitTokenFragment(location.hash);
  if (token !== null || location.hash !== rest) {
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest}`);
  }
  return token;
}

function readStoredToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

function writeStoredToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_STORAGE_KEY);
    else sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
  } catch {
    // Without sessionStorage the token lasts until the page reloads.
  }
}
