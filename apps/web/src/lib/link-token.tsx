// The pages mailed links land on. The token travels in the URL fragment (#token=…), which browsers
// never send to a server or in a Referer; the page reads it once, drops it from the address bar and
// history, and sends it only in the POST that uses it (a GET of the page burns nothing).
import { useEffect, useState } from "react";
import { useLocation, useNavigate } from "./router.tsx";

export function useLinkToken(): string | null {
  const location = useLocation();
  const navigate = useNavigate();
  const [token] = useState(() => new URLSearchParams(location.hash.slice(1)).get("token"));
  useEffect(() => {
    if (location.hash) void navigate({ pathname: location.pathname, search: location.search }, { replace: true, state: location.state });
  }, [location, navigate]);
  return token;
}

/** No Referer from this page to anyone (the server sends the same policy with the page). */
export function NoReferrer() {
  return <meta name="referrer" content="no-referrer" />;
}
