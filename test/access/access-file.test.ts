/** access.json on a real disk: atomic replace, survives a reopen, damage refused. */
import { afterEach, expect, test } from "bun:test";
import fs from "node:fs";
import { join } from "node:path";
import { ACCESS_FILE, AccessFileError, accessFile } from "../../src/access/access-file.ts";
import { AccessStore } from "../../src/access/store.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";

let dir = "";
afterEach(() => {
  if (dir) removeDir(dir);
});

test("A15 access.json is replaced atomically, private, and reopens with every session", () => {
  dir = tempDir("lenslet-access-");
  const store = new AccessStore({ persistence: accessFile(dir) });
  const r = store.redeemOwnerLink(store.issueOwnerLink());
  if (!r.ok) throw new Error("x");
  const path = join(dir, ACCESS_FILE);
  expect(fs.statSync(path).mode & 0o777).toBe(0o600);
  expect(fs.existsSync(`${path}.tmp`)).toBe(false);
  const text = fs.readFileSync(path, "utf8");
  expect(text).not.toContain(r.cookie.split(".")[1]);

  const reopened = new AccessStore({ persistence: accessFile(dir) });
  expect(reopened.authenticateSession(r.cookie)).toMatchObject({
    ok: true,
    principal: { role: "owner" },
  });
  expect(reopened.instanceId).toBe(store.instanceId);

  // A stale temp file (a crash mid-write) is ignored: the last complete file wins.
  fs.writeFileSync(`${path}.tmp`, "{ half");
  expect(new AccessStore({ persistence: accessFile(dir) }).listSessions()).toHaveLength(1);
});

test("A15 a damaged access.json is refused with its name and the remedy", () => {
  dir = tempDir("lenslet-access-");
  fs.writeFileSync(join(dir, ACCESS_FILE), "{ not json");
  expect(() => new AccessStore({ persistence: accessFile(dir) })).toThrow(AccessFileError);
  expect(() => new AccessStore({ persistence: accessFile(dir) })).toThrow(
    /access\.json.*--reset-access/,
  );
});
