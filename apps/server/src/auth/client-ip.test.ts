import { describe, expect, it } from "vitest";
import { getClientIp } from "./client-ip.ts";

const PROXY = "10.0.0.2";

describe("getClientIp", () => {
  it("takes the socket's address and ignores X-Forwarded-For when no proxy is trusted", () => {
    expect(getClientIp({ socketAddress: "198.51.100.7", forwardedFor: "203.0.113.1" }, 0)).toBe("198.51.100.7");
    expect(getClientIp({ socketAddress: "::ffff:198.51.100.7", forwardedFor: undefined }, 0)).toBe("198.51.100.7");
    expect(getClientIp({ socketAddress: undefined, forwardedFor: undefined }, 0)).toBeNull();
  });

  it("behind one proxy takes the entry it appended, never one the client wrote in front of it", () => {
    expect(getClientIp({ socketAddress: PROXY, forwardedFor: "203.0.113.1" }, 1)).toBe("203.0.113.1");
    expect(getClientIp({ socketAddress: PROXY, forwardedFor: "1.2.3.4, 203.0.113.1" }, 1)).toBe("203.0.113.1");
    expect(getClientIp({ socketAddress: PROXY, forwardedFor: ["1.2.3.4", "203.0.113.1"] }, 1)).toBe("203.0.113.1");
  });

  it("behind two proxies takes the entry the outer one appended", () => {
    expect(getClientIp({ socketAddress: PROXY, forwardedFor: "1.2.3.4, 203.0.113.1, 10.0.0.3" }, 2)).toBe("203.0.113.1");
  });

  it("falls back to the socket when the header is missing, empty or not an address", () => {
    expect(getClientIp({ socketAddress: PROXY, forwardedFor: undefined }, 1)).toBe(PROXY);
    expect(getClientIp({ socketAddress: PROXY, forwardedFor: "" }, 1)).toBe(PROXY);
    expect(getClientIp({ socketAddress: PROXY, forwardedFor: "unknown" }, 1)).toBe(PROXY);
    expect(getClientIp({ socketAddress: PROXY, forwardedFor: "2001:db8::1" }, 1)).toBe("2001:db8::1");
  });
});
