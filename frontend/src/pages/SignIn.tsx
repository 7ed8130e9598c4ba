import { useState, type FormEvent } from "react";

import { ErrorText } from "../components/ui";

export function SignIn({ error, onSubmit }: { error: string | null; onSubmit: (key: string) => void }) {
  const [key, setKey] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const shown = problem ?? error;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setProblem("Enter your API key.");
      return;
    }
    setProblem(null);
    onSubmit(trimmed);
  };

  return (
    <main className="center">
      <form className="card signin" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <h1 id="signin-title">Sign in to brokerhub</h1>
        <label className="field">
          <span>API key</span>
          <input
            type="password"
            name="api-key"
            autoComplete="off"
            value={key}
            onChange={(event) => setKey(event.target.value)}
            aria-invalid={shown ? true : undefined}
            aria-describedby="key-help signin-error"
            autoFocus
          />
        </label>
        <ErrorText error={shown} id="signin-error" />
        <p className="muted" id="key-help">
          <code>brokerhub serve</code> prints the demo key when it starts. The key is kept only in this browser tab and
          forgotten when you sign out or close the tab.
        </p>
        <button type="submit" className="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}
