// The "another service" example run as a user would run it, against the real server's JWKS.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createBearerClient, readJson, useTestServer } from "../../../tests/setup/http.ts";
import { createTestConfig, createTestDatabase, createTestUser, TEST_PASSWORD } from "../../../tests/setup/server.ts";

const ORIGIN = "http://localhost:5173";
const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const TSX = path.join(REPO_ROOT, "node_modules", ".bin", "tsx");
const SCRIPT = path.join(import.meta.dirname, "verify-access-token.ts");
const db = createTestDatabase();
const server = useTestServer({ db, config: createTestConfig({ APP_ORIGIN: ORIGIN }) });

async function runScript(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, [SCRIPT, ...args], { cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("apps/server/src/verify-access-token.ts", () => {
  it("prints the claims of a valid token and explains a refused one", async () => {
    const user = await createTestUser(db);
    const signIn = await fetch(`${server.url}/trpc/auth.signIn`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: user.email, password: TEST_PASSWORD, transport: "token" }),
    });
    const sessionToken = (await readJson(signIn)).result.data.token;
    const issued = await createBearerClient(server.url, sessionToken).mutate("auth.issueAccessToken");
    const { accessToken } = (await readJson(issued)).result.data;
    const jwksUrl = `${server.url}/.well-known/jwks.json`;

    const valid = await runScript(jwksUrl, accessToken, "--issuer", ORIGIN);
    expect(valid.code).toBe(0);
    expect(JSON.parse(valid.stdout)).toMatchObject({ sub: user.id, sid: sessionToken.split(".")[0], iss: ORIGIN, aud: "latchkey-api" });

    // Without --issuer it expects the JWKS origin, which is not the issuer here.
    const wrongIssuer = await runScript(jwksUrl, accessToken);
    expect(wrongIssuer).toMatchObject({ code: 1, stdout: "" });
    expect(wrongIssuer.stderr).toContain("Rejected: the issuer (iss) is not the expected one.");
  });
});
