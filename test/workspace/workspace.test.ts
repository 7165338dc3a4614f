/**
 * W4: the temp workspace (read-only DIR, or --no-write) has a predictable name, so it is created
 * private and one found there is used only when it is a real folder of ours that nobody else can enter.
 */
import { afterEach, describe, expect, test } from "bun:test";
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import {
  resolveWorkspace,
  tempWorkspaceFor,
  WorkspaceError,
} from "../../src/workspace/workspace.ts";
import { removeDir, tempDir } from "../helpers/tree.ts";

const MAIN = join(import.meta.dir, "..", "..", "src", "main.ts");
const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) removeDir(d);
});

/** A gallery whose DIR/.lenslet cannot be created (a file is in the way), so the temp fallback is used. */
function readOnlyGallery(): { root: string; fallback: string } {
  const root = tempDir("lenslet-ws-");
  writeFileSync(join(root, ".lenslet"), "in the way");
  const fallback = tempWorkspaceFor(root);
  made.push(root, fallback);
  removeDir(fallback);
  return { root, fallback };
}

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WorkspaceError);
    return (err as Error).message;
  }
  throw new Error("expected a refusal");
};

describe("W4: private temp workspace", () => {
  test("W4: a fresh fallback is created 0700, owned by this user, and used", () => {
    const { root, fallback } = readOnlyGallery();
    const ws = resolveWorkspace({ root, noWrite: false });
    expect(ws).toMatchObject({ dir: fallback, canWrite: true });
    const st = lstatSync(fallback);
    expect(st.isDirectory()).toBe(true);
    expect(st.mode & 0o777).toBe(0o700);
    expect(st.uid).toBe(process.getuid!());
  });

  test("W4: one already there that is ours and private is reused, contents kept", () => {
    const { root, fallback } = readOnlyGallery();
    mkdirSync(fallback, { mode: 0o700 });
    writeFileSync(join(fallback, "labels.log.jsonl"), "kept");
    expect(resolveWorkspace({ root, noWrite: false })).toMatchObject({
      dir: fallback,
      canWrite: true,
    });
    expect(readFileSync(join(fallback, "labels.log.jsonl"), "utf8")).toBe("kept");
  });

  test("W4: a pre-created 0777 folder is refused, naming it, the problem and --workspace", () => {
    const { root, fallback } = readOnlyGallery();
    mkdirSync(fallback);
    chmodSync(fallback, 0o777);
    const msg = refusal(() => resolveWorkspace({ root, noWrite: false }));
    expect(msg).toContain(fallback);
    expect(msg).toContain("mode 0777");
    expect(msg).toContain("--workspace DIR");
    expect(msg.split("\n")).toHaveLength(1);
    // --no-write keeps its caches there too: refused the same way.
    expect(refusal(() => resolveWorkspace({ root, noWrite: true }))).toContain("mode 0777");
  });

  test.skipIf(process.getuid?.() !== 0)(
    "W4: a folder owned by another user (uid 65534), even 0700, is refused",
    () => {
      const { root, fallback } = readOnlyGallery();
      mkdirSync(fallback, { mode: 0o700 });
      chownSync(fallback, 65534, 65534);
      const msg = refusal(() => resolveWorkspace({ root, noWrite: false }));
      expect(msg).toContain(fallback);
      expect(msg).toContain("uid 65534");
    },
  );

  test("W4: a symlink in its place is refused, even to a private folder of ours", () => {
    const { root, fallback } = readOnlyGallery();
    const elsewhere = tempDir("lenslet-ws-target-");
    made.push(elsewhere);
    chmodSync(elsewhere, 0o700);
    symlinkSync(elsewhere, fallback);
    expect(refusal(() => resolveWorkspace({ root, noWrite: false }))).toContain("symlink");
    // Nothing was written through the link.
    expect(existsSync(join(elsewhere, "lenslet.lock"))).toBe(false);
  });

  test("W4: the CLI turns a refusal into one line on stderr and exit code 2", async () => {
    const { root, fallback } = readOnlyGallery();
    writeFileSync(join(root, "a.jpg"), "x");
    mkdirSync(fallback);
    chmodSync(fallback, 0o777);
    const p = Bun.spawnSync([process.execPath, "run", MAIN, root, "--port", "0"], {
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, NODE_ENV: "production" },
      // Bounded: a server that wrongly starts is killed instead of hanging the test.
      timeout: 20_000,
    });
    expect(p.exitCode).toBe(2);
    const lines = p.stderr.toString().trim().split("\n");
    expect(lines.filter((l) => l.startsWith("lenslet: "))).toEqual([
      expect.stringContaining(`${fallback}: refusing this temp workspace`),
    ]);
    expect(existsSync(join(fallback, "lenslet.lock"))).toBe(false);
  });
});
