import { Link, useRouteError } from "react-router-dom";

/** A page that threw while rendering: say so in words instead of leaving a blank screen. */
export function RouteError() {
  const error = useRouteError();
  console.error(error);
  return (
    <main id="main" className="state state-error" role="alert">
      <p className="state-title">This page ran into a problem.</p>
      <p>Reload the page, or go back to the catalog.</p>
      <Link to="/">Go to the catalog</Link>
    </main>
  );
}
