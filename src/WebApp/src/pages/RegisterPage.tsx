import { type ChangeEvent, type FormEvent, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";
import type { ApiError } from "../api/problems";
import { useAuth } from "../auth/AuthContext";
import { Field } from "../components/Field";
import { Notice } from "../components/States";
import { safeNext } from "../lib/safeNext";
import { toApiError } from "../lib/useQuery";

const MinPasswordLength = 10;

export function RegisterPage() {
  const { register } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [form, setForm] = useState({ name: "", email: "", password: "" });
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (field: keyof typeof form) => (e: ChangeEvent<HTMLInputElement>) => setForm({ ...form, [field]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await register(form.name.trim(), form.email.trim(), form.password);
      navigate(next, { replace: true });
    } catch (e) {
      setError(toApiError(e));
      setBusy(false);
    }
  };

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
          hint={`At least ${MinPasswordLength} characters.`}
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
