/** Flags and colour labels through the real label routes and store (L19–L21). */
import { afterAll, describe, expect, test } from "bun:test";
import { exportCsv, exportRows } from "../../src/labels/export.ts";
import {
  call,
  cleanupTempDirs,
  GALLERY_PATHS,
  harness,
  newKey,
  parseCsv,
  patch,
  StubGallery,
} from "./helpers.ts";

afterAll(cleanupTempDirs);

const itemUrl = (p: string) => `/item?path=${encodeURIComponent(p)}`;

describe("flags and colour labels", () => {
  test("L19: set_flag / set_color are versioned like a star: stamped, journaled, published, kept across a restart", async () => {
    const h = await harness({ snapshotOnClose: false });
    const r = await patch(h.app, "/a.jpg", { base_version: 1, set_flag: "pick", set_color: "red" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      flag: "pick",
      color: "red",
      version: 2,
      changed_fields: ["flag", "color"],
    });
    const ev = h.events.find((e) => e.event.type === "item-updated");
    expect(ev?.event.data).toMatchObject({ path: "/a.jpg", flag: "pick", color: "red" });
    const unflag = await patch(h.app, "/a.jpg", { base_version: 2, set_flag: null });
    expect(unflag.body).toMatchObject({ flag: null, color: "red", version: 3 });
    await h.close();
    // Replayed from the journal alone (no snapshot written on close).
    const again = await harness({ dir: h.dir, snapshotOnClose: false });
    expect(again.store.get("/a.jpg")).toMatchObject({ flag: null, color: "red", version: 3 });
    await again.store.snapshot();
    await again.close();
    const third = await harness({ dir: h.dir });
    expect(third.store.get("/a.jpg")).toMatchObject({ flag: null, color: "red", version: 3 });
    await third.close();
  });

  test("L19: a flag or colour needs the base version; a stale one is a 409 with the current record", async () => {
    const h = await harness();
    const missing = await patch(h.app, "/a.jpg", { set_flag: "reject" });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("missing_base_version");
    await patch(h.app, "/a.jpg", { base_version: 1, set_star: 3 });
    const stale = await patch(h.app, "/a.jpg", { base_version: 1, set_color: "blue" });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe("version_conflict");
    expect((stale.body.current as Record<string, unknown>).color).toBeNull();
    // A batch element without a base is refused alone.
    const batch = await call(h.app, "POST", "/items/patch", {
      key: newKey(),
      body: {
        patches: [
          { path: "/b.jpg", set_flag: "pick" },
          { path: "/c.jpg", base_version: 1, set_flag: "pick" },
        ],
      },
    });
    const results = batch.body.results as Record<string, unknown>[];
    expect(results.map((x) => x.status)).toEqual([400, 200]);
    expect(results[1]).toMatchObject({ flag: "pick" });
    await h.close();
  });

  test("L19: unknown flags and colours are refused, naming the field", async () => {
    const h = await harness();
    for (const body of [
      { base_version: 1, set_flag: "maybe" },
      { base_version: 1, set_color: "orange" },
      { base_version: 1, set_flag: 1 },
    ]) {
      const r = await patch(h.app, "/a.jpg", body);
      expect(r.status).toBe(400);
      expect(r.body.error).toBe("validation_error");
      expect(String(r.body.field)).toMatch(/^set_(flag|color)$/);
    }
    expect(h.store.get("/a.jpg").version).toBe(1);
    await h.close();
  });

  test("L19: PUT replaces flag and colour only when the body names them", async () => {
    const h = await harness();
    await patch(h.app, "/a.jpg", { base_version: 1, set_flag: "reject", set_color: "yellow" });
    const old = await call(h.app, "PUT", itemUrl("/a.jpg"), { body: { star: 2 } });
    expect(old.body).toMatchObject({ star: 2, flag: "reject", color: "yellow" });
    const put = await call(h.app, "PUT", itemUrl("/a.jpg"), {
      body: { star: 2, flag: "pick", color: null },
    });
    expect(put.body).toMatchObject({
      flag: "pick",
      color: null,
      changed_fields: ["flag", "color"],
    });
    await h.close();
  });

  test("L13: export carries flag and colour, in JSON and as CSV columns", async () => {
    const h = await harness();
    await patch(h.app, "/a.jpg", { base_version: 1, set_flag: "pick", set_color: "purple" });
    // The export writers over the store's records (the /export route itself: test/routes/export.test.ts).
    const gallery = new StubGallery(GALLERY_PATHS);
    const rows = exportRows(
      GALLERY_PATHS.map((p) => gallery.get(p)!),
      h.store,
    );
    expect(rows.find((r) => r.path === "/a.jpg")).toMatchObject({ flag: "pick", color: "purple" });
    const csv = parseCsv(exportCsv(rows));
    const a = csv.find((r) => r.path === "/a.jpg");
    const b = csv.find((r) => r.path === "/b.jpg");
    expect(a).toMatchObject({ flag: "pick", color: "purple" });
    expect(b).toMatchObject({ flag: "", color: "" });
    await h.close();
  });
});
