import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { api, auth, sessions } from "../api/shopApi";
import type { ApiError } from "../api/problems";
import type { User } from "../api/types";
import { isAbort, toApiError } from "../lib/useQuery";

export type AuthStatus = "checking" | "signedIn" | "signedOut" | "unavailable";

interface AuthValue {
  status: AuthStatus;
  user: User | null;
  isAdmin: boolean;
  /** The session ended by itself (refresh refused), not by signing out: the sign-in page says so. */
  sessionEnded: boolean;
  checkError: ApiError | null;
  login(email: string, password: string): Promise<void>;
  /** Registers; the account can sign in once its address is verified (the link in the email). Returns what to tell the user. */
  register(name: string, email: string, password: string): Promise<string>;
  logout(): Promise<void>;
  recheck(): void;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<AuthStatus>(() => (sessions.read() ? "checking" : "signedOut"));
  const [user, setUser] = useState<User | null>(null);
  const [sessionEnded, setSessionEnded] = useState(false);
  const [checkError, setCheckError] = useState<ApiError | null>(null);
  const [generation, setGeneration] = useState(0);
  const signingOut = useRef(false);

  // Who is signed in: asked whenever a session appears (here or in another tab).
  useEffect(() => {
    if (!sessions.read()) return;
    const controller = new AbortController();
    setStatus("checking");
    auth.me(controller.signal).then(
      (me) => {
        setUser(me);
        setCheckError(null);
        setStatus("signedIn");
      },
      (error: unknown) => {
        if (isAbort(error)) return;
        const problem = toApiError(error);
        if (problem.status === 401) {
          sessions.write(null);
          return;
        }
        setCheckError(problem);
        setStatus("unavailable");
      },
    );
    return () => controller.abort();
  }, [generation]);

  // A renewed session (token refresh) changes nothing here; a session that appears or disappears does.
  const hadSession = useRef(sessions.read() !== null);
  useEffect(
    () =>
      sessions.subscribe((session) => {
        const had = hadSession.current;
        hadSession.current = session !== null;
        if (session && !had) {
          setStatus("checking");
          setGeneration((g) => g + 1);
        } else if (!session && had) {
          setSessionEnded(!signingOut.current);
          setUser(null);
          setStatus("signedOut");
        }
      }),
    [],
  );

  const login = useCallback(async (email: string, password: string) => {
    setSessionEnded(false);
    await api.login(email, password);
  }, []);

  const register = useCallback(async (name: string, email: string, password: string) => {
    const accepted = await auth.register(email, password, name);
    return accepted.message;
  }, []);

  const logout = useCallback(async () => {
    signingOut.current = true;
    try {
      await api.logout();
    } finally {
      signingOut.current = false;
    }
  }, []);

  const recheck = useCallback(() => setGeneration((g) => g + 1), []);

  const value = useMemo<AuthValue>(
    () => ({
      status,
      user,
      isAdmin: user?.roles.includes("admin") ?? false,
      sessionEnded,
      checkError,
      login,
      register,
      logout,
      recheck,
    }),
    [status, user, sessionEnded, checkError, login, register, logout, recheck],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth needs an AuthProvider above it");
  return value;
}
