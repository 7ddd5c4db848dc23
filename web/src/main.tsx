/**
 * The admin console (README "Admin console"): Preact + @preact/signals, built by web/build.ts.
 * The admin token lives in sessionStorage only: never in a URL, never logged.
 */
import { signal } from '@preact/signals';
import { render } from 'preact';
import { ApiError, createApi, errorText } from './api';
import { SignIn } from './components/SignIn';
import { Workspace } from './components/Workspace';
import { type ConsoleConfig, loadConfig } from './config';
import { Desk, requestHead } from './desk';

const tokenKey = 'support-console.admin-token';

const config = signal<ConsoleConfig | null>(null);
const bootError = signal('');
const restoring = signal(true);
const desk = signal<Desk | null>(null);
const signInError = signal('');

function signOut(reason = ''): void {
  desk.value?.stop();
  desk.value = null;
  sessionStorage.removeItem(tokenKey);
  document.title = 'Support console';
  signInError.value = reason;
}

async function signIn(token: string): Promise<void> {
  const settings = config.value;
  if (!settings) return;
  const api = createApi(settings.apiBaseUrl, token);
  // The inbox's first page and the bell go out with GET /me, not after it: a reload paints when the slowest answers.
  const head = requestHead(api);
  try {
    const me = await api.me();
    sessionStorage.setItem(tokenKey, token);
    signInError.value = '';
    const next = new Desk(settings, api, me, token, signOut);
    desk.value?.stop();
    desk.value = next;
    next.start(head);
  } catch (error) {
    sessionStorage.removeItem(tokenKey);
    signInError.value = error instanceof ApiError && error.status === 401 ? 'That token was not accepted.' : `Could not sign in: ${errorText(error)}`;
  }
}

function App() {
  if (bootError.value) {
    return (
      <main class="signin">
        <p role="alert" class="error">
          {bootError.value}
        </p>
      </main>
    );
  }
  if (!config.value || restoring.value) return <main class="signin" aria-busy="true" />;
  const current = desk.value;
  if (current) return <Workspace desk={current} onSignOut={() => signOut()} />;
  return <SignIn error={signInError.value} onSignIn={signIn} />;
}

async function boot(): Promise<void> {
  try {
    config.value = await loadConfig();
  } catch (error) {
    bootError.value = `The console could not load its configuration: ${errorText(error)}`;
    return;
  }
  const saved = sessionStorage.getItem(tokenKey);
  if (saved) await signIn(saved);
  restoring.value = false;
}

const root = document.getElementById('app');
if (root) {
  render(<App />, root);
  void boot();
}
