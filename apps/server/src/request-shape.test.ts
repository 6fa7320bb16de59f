import { describe, expect, it } from "vitest";
import { checkRequestShape, decodeRequestPath } from "./request-shape.ts";

describe("checkRequestShape", () => {
  it("serves GET and POST on the API, GET and HEAD elsewhere, and answers anything else 405 with Allow", () => {
    expect(checkRequestShape("POST", "/trpc/auth.signIn")).toEqual({ ok: true, pathname: "/trpc/auth.signIn" });
    expect(checkRequestShape("HEAD", "/assets/app.js")).toEqual({ ok: true, pathname: "/assets/app.js" });
    for (const method of ["TRACE", "TRACK", "CONNECT", "PROPFIND", "OPTIONS", "DELETE", "HEAD"]) {
      expect(checkRequestShape(method, "/trpc/auth.me")).toMatchObject({ ok: false, status: 405, allow: "GET, POST" });
    }
    expect(checkRequestShape("POST", "/")).toMatchObject({ ok: false, status: 405, allow: "GET, HEAD" });
  });

  it("refuses malformed percent-encoding and targets that are not paths with 400", () => {
    for (const url of ["/%", "/%E0%A4%A", "/assets/%C0%AF", "/trpc/auth.me%ZZ?batch=1"]) {
      expect(checkRequestShape("GET", url)).toMatchObject({ ok: false, status: 400 });
    }
    expect(checkRequestShape("GET", "http://elsewhere.example/")).toMatchObject({ ok: false, status: 400 });
    // Only the path must decode: tRPC reads the query string itself.
    expect(checkRequestShape("GET", "/trpc/auth.me?input=%")).toEqual({ ok: true, pathname: "/trpc/auth.me" });
  });
});

describe("decodeRequestPath", () => {
  it("decodes the path without its query, or gives null", () => {
    expect(decodeRequestPath("/a%20b?c=%")).toBe("/a b");
    expect(decodeRequestPath("/%E0%A4%A")).toBeNull();
  });
});
