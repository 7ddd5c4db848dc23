import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';

export function SignIn(props: { error: string; onSignIn: (token: string) => Promise<void> }) {
  const token = useSignal('');
  const busy = useSignal(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy.value || token.value.trim() === '') return;
    busy.value = true;
    try {
      await props.onSignIn(token.value.trim());
    } finally {
      busy.value = false;
      token.value = '';
    }
  };
  return (
    <main class="signin">
      <form class="signin-form" method="post" onSubmit={(event) => void submit(event)}>
        <h1>Support console</h1>
        <label for="token">Admin token</label>
        <input ref={input} id="token" name="token" type="password" autocomplete="off" spellcheck={false} required value={token.value} onInput={(event) => (token.value = event.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy.value}>
          Sign in
        </button>
        {props.error && (
          <p role="alert" class="error">
            {props.error}
          </p>
        )}
        <p class="hint">The token stays in this tab (sessionStorage) until you sign out or close it.</p>
      </form>
    </main>
  );
}
