import { type FormEvent, useEffect, useRef, useState } from "react";
import { Link, useLocation } from "react-router-dom";
import { auth } from "../api/shopApi";
import { Field } from "../components/Field";
import { Loading, Notice } from "../components/States";
import { toApiError } from "../lib/useQuery";
import { tokenFromHash } from "../lib/verificationLink";

type State = { kind: "idle" } | { kind: "verifying" } | { kind: "verified"; email: string } | { kind: "failed"; message: string };

/** Where the verification email's link lands: confirms the address, then sends the user to sign in. */
export function VerifyEmailPage() {
  const location = useLocation();
  const [state, setState] = useState<State>({ kind: "idle" });
  const [code, setCode] = useState("");
  const started = useRef(false);

  const verify = async (token: string) => {
    setState({ kind: "verifying" });
    try {
      const verified = await auth.verifyEmail(token);
      setState({ kind: "verified", email: verified.email });
    } catch (e) {
      setState({ kind: "failed", message: toApiError(e).message });
    }
  };

  useEffect(() => {
    const token = tokenFromHash(location.hash);
    // Once: a token works a single time, and React may run effects twice in development.
    if (token && !started.current) {
      started.current = true;
      // The token leaves the address bar (and the history) as soon as it is read.
      window.history.replaceState(null, "", location.pathname);
      void verify(token);
    }
  }, [location.hash, location.pathname]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = code.trim();
    if (token) void verify(token);
  };

  return (
    <section className="narrow" aria-labelledby="verify-title">
      <h1 id="verify-title">Confirm your email address</h1>
      {state.kind === "verifying" && <Loading label="Confirming your email address…" />}
      {state.kind === "verified" && (
        <>
          <Notice tone="success">Your email address {state.email} is confirmed.</Notice>
          <p>
            <Link className="button" to="/login">
              Sign in
            </Link>
          </p>
        </>
      )}
      {state.kind === "failed" && <Notice tone="error">{state.message}</Notice>}
      {(state.kind === "idle" || state.kind === "failed") && (
        <form onSubmit={submit} className="form" noValidate>
          <p>Open the link in the email we sent you, or paste the code from it here.</p>
          <Field label="Code" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
          <button type="submit" className="button">
            Confirm
          </button>
          <p>
            No email? <Link to="/register">Register again</Link> with the same address to get a new link.
          </p>
        </form>
      )}
    </section>
  );
}
