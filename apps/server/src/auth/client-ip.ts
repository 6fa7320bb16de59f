// The client's IP address for rate limits and the session list: the socket's peer, or, behind
// TRUST_PROXY reverse proxies, the address the outermost of them saw. Pure: the edge passes headers in.
import { isIP } from "node:net";

/**
 * `trustedProxyHops` is how many reverse proxies we run in front of the API, each appending the
 * address it received the request from to `X-Forwarded-For`. Only those rightmost entries were
 * written by us; anything to their left came from the client and can be forged, so we take the
 * entry `trustedProxyHops - 1` from the right (with one proxy: the last entry). 0 ignores the header.
 */
export function getClientIp(
  request: { socketAddress: string | undefined; forwardedFor: string | string[] | undefined },
  trustedProxyHops: number,
): string | null {
  const socketAddress = request.socketAddress ? normalizeIp(request.socketAddress) : null;
  if (trustedProxyHops === 0 || request.forwardedFor === undefined) return socketAddress;
  // Several X-Forwarded-For headers are one list, in order (RFC 9110 §5.3).
  const forwarded = [request.forwardedFor]
    .flat()
    .flatMap((header) => header.split(","))
    .map((entry) => entry.trim())
    .filter(Boolean);
  // [client-supplied…, set by proxy N, …, set by proxy 2] + the socket peer (proxy 1).
  const hops = [...forwarded, socketAddress];
  const entry = hops[Math.max(0, hops.length - 1 - trustedProxyHops)];
  // A trusted proxy writes a bare address; anything else means the chain is not what we configured.
  return entry && isIP(normalizeIp(entry)) ? normalizeIp(entry) : socketAddress;
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is 192.0.2.1. */
function normalizeIp(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
