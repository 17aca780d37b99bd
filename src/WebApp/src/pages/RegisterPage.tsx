import { type ChangeEvent, type FormEvent, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import type { ApiError } from "../api/problems";
import { useAuth } from "../auth/AuthContext";
import { Field } from "../components/Field";
import { Notice } from "../components/States";
import { safeNext } from "../lib/safeNext";
import { toApiError } from "../lib/useQuery";

const MinPasswordLength = 8;
const RecommendedPasswordLength = 12;

export function RegisterPage() {
  const { register } = useAuth();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [form, setForm] = useState({ name: "", email: "", password: "" });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [sentTo, setSentTo] = useState<{ email: string; message: string } | null>(null);
  const set = (field: keyof typeof form) => (e: ChangeEvent<HTMLInputElement>) => setForm({ ...form, [field]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const email = form.email.trim();
      const message = await register(form.name.trim(), email, form.password);
      setSentTo({ email, message });
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  // Sending the link again is registering again: the new link carries this form's password (the gateway answers the same).
  const resend = () => register(form.name.trim(), form.email.trim(), form.password);
  if (sentTo) return <CheckYourInbox email={sentTo.email} message={sentTo.message} next={next} resend={resend} />;

  const fieldErrors = error?.fieldErrors ?? {};
  return (
    <section className="narrow">
      <h1>Create an account</h1>
      <form onSubmit={submit} className="form" noValidate>
        <Field label="Name" autoComplete="name" required value={form.name} onChange={set("name")} errors={fieldErrors.name} />
        <Field label="Email" type="email" autoComplete="email" required value={form.email} onChange={set("email")} errors={fieldErrors.email} />
        <Field
          label="Password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MinPasswordLength}
          value={form.password}
          onChange={set("password")}
          hint={`At least ${MinPasswordLength} characters, ${RecommendedPasswordLength} or more is better. Common passwords are refused.`}
          errors={fieldErrors.password}
        />
        {error && <Notice tone="error">{error.message}</Notice>}
        <button type="submit" className="button" disabled={busy}>
          {busy ? "Creating your account…" : "Create account"}
        </button>
      </form>
      <p>
        Already have an account? <Link to={`/login?next=${encodeURIComponent(next)}`}>Sign in</Link>
      </p>
    </section>
  );
}

/** The verification step: the account exists (or the address already had one); the email's link finishes it. */
function CheckYourInbox({ email, message, next, resend: sendAgain }: { email: string; message: string; next: string; resend: () => Promise<string> }) {
  const [resent, setResent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const resend = async () => {
    setBusy(true);
    setError(null);
    try {
      setResent(await sendAgain());
    } catch (e) {
      setError(toApiError(e).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="narrow" aria-labelledby="check-inbox">
      <h1 id="check-inbox">Check your inbox</h1>
      <p>{message}</p>
      <p>
        We wrote to <strong>{email}</strong>. The link is valid for 24 hours; after opening it, sign in with the password you
        just chose.
      </p>
      {resent && <Notice tone="success">{resent}</Notice>}
      {error && <Notice tone="error">{error}</Notice>}
      <p className="actions">
        <button type="button" className="button secondary" onClick={resend} disabled={busy}>
          {busy ? "Sending…" : "Send the link again"}
        </button>
        <Link className="button" to={`/login?next=${encodeURIComponent(next)}`}>
          Go to sign in
        </Link>
      </p>
    </section>
  );
}
