import { describe, expect, it } from "vitest";
import { checkCsrf, type CsrfRequest } from "./csrf.ts";

const allowed = new Set(["https://app.example.com"]);
const sameOriginJson: CsrfRequest = {
  method: "POST",
  origin: "https://app.example.com",
  secFetchSite: "same-origin",
  contentType: "application/json",
  hasSessionCookie: true,
  hasAuthorization: false,
};
const check = (overrides: Partial<CsrfRequest>) => checkCsrf({ ...sameOriginJson, ...overrides }, allowed);

describe("checkCsrf", () => {
  it("passes same-origin JSON with a cookie", () => {
    expect(check({})).toEqual({ ok: true });
    expect(check({ contentType: "application/json; charset=utf-8" })).toEqual({ ok: true });
  });

  it("passes safe methods whatever they carry", () => {
    expect(check({ method: "GET", origin: "https://evil.example", contentType: undefined })).toEqual({ ok: true });
  });

  it.each(["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", undefined])(
    "rejects a %s body with 415",
    (contentType) => {
      expect(check({ contentType })).toMatchObject({ ok: false, status: 415 });
    },
  );

  it("rejects a foreign Origin", () => {
    expect(check({ origin: "https://evil.example", secFetchSite: undefined })).toMatchObject({ ok: false, status: 403 });
  });

  it("rejects Sec-Fetch-Site: cross-site even with an allowed-looking Origin", () => {
    expect(check({ secFetchSite: "cross-site" })).toMatchObject({ ok: false, status: 403 });
  });

  it("rejects a cookie request without an Origin unless the browser says same-origin", () => {
    expect(check({ origin: undefined, secFetchSite: undefined })).toMatchObject({ ok: false, status: 403 });
    expect(check({ origin: undefined, secFetchSite: "same-origin" })).toEqual({ ok: true });
  });

  it("passes non-browser clients without cookie or Origin (CLIs, native apps)", () => {
    expect(check({ origin: undefined, secFetchSite: undefined, hasSessionCookie: false })).toEqual({ ok: true });
  });

  it("rejects a foreign Origin without a cookie too (login CSRF)", () => {
    expect(check({ origin: "https://evil.example", hasSessionCookie: false })).toMatchObject({ ok: false, status: 403 });
  });

  it("exempts Authorization requests: no ambient credential", () => {
    expect(check({ origin: "https://evil.example", hasAuthorization: true })).toEqual({ ok: true });
  });
});
