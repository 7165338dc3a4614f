/** A14: HTTPS served directly with a self-signed certificate; Secure cookies; a write over TLS. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";
import { cookieFrom } from "./helpers.ts";

let certDir = "";
let t: TestLenslet;
const insecure = { tls: { rejectUnauthorized: false } };

beforeAll(async () => {
  certDir = tempDir("lenslet-tls-");
  const cert = join(certDir, "cert.pem");
  const key = join(certDir, "key.pem");
  const p = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-days",
      "1",
      "-keyout",
      key,
      "-out",
      cert,
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  if (p.exitCode !== 0) throw new Error(`openssl: ${p.stderr.toString()}`);
  t = await startTestLenslet({ "a.jpg": {} }, { access: "token", tlsCert: cert, tlsKey: key });
});
afterAll(async () => {
  await t?.dispose();
  removeDir(certDir);
});

test("A14 --tls-cert/--tls-key serve HTTPS; the session cookie is Secure; a write over TLS is saved", async () => {
  expect(t.url).toStartWith("https://");
  expect(t.ownerLink).toStartWith(`${t.url}/?token=`);
  const res = await fetch(t.ownerLink as string, { redirect: "manual", ...insecure });
  expect(res.status).toBe(303);
  expect(res.headers.get("set-cookie")).toContain("Secure");
  const cookie = cookieFrom(res);
  const write = await fetch(`${t.url}/item?path=/a.jpg`, {
    method: "PATCH",
    headers: {
      Cookie: cookie,
      Origin: t.url,
      "Content-Type": "application/json",
      "Idempotency-Key": crypto.randomUUID(),
    },
    body: JSON.stringify({ add_tags: ["over-tls"] }),
    ...insecure,
  });
  expect(write.status).toBe(200);
  expect((await write.json()).tags).toEqual(["over-tls"]);
  // Plain HTTP on the TLS port is not served.
  const plain = await fetch(t.url.replace("https:", "http:")).catch((e: Error) => e);
  expect(plain instanceof Error || plain.status >= 400).toBe(true);
});
