/**
 * The team side of access control through the real app (`access: "token"`): what each role's page and
 * /health say about writing, the public liveness probe, the people list (name, role, folder), the Share
 * dialog's lists, and a rename that reaches everyone's presence at once.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Window } from "happy-dom";
import { PresenceTracker } from "../../src/presence/tracker.ts";
import { startTestLenslet, type TestLenslet } from "../helpers/lenslet.ts";
import { connectSSE } from "../helpers/sse-client.ts";
import { apiToken, join, ownerCookie } from "./helpers.ts";

let t: TestLenslet;
let owner: string;
const as: Record<"viewer" | "rater" | "admin", { cookie: string; sessionId: string }> = {} as never;

beforeAll(async () => {
  t = await startTestLenslet({ "a/one.jpg": {}, "b/two.jpg": {} }, { access: "token" });
  owner = await ownerCookie(t);
  for (const role of ["viewer", "rater", "admin"] as const) {
    as[role] = await join(t, owner, role, `${role[0]!.toUpperCase()}${role.slice(1)} Person`);
  }
});
afterAll(async () => {
  await t?.dispose();
});

const html = async (path: string, cookie: string) => {
  const res = await t.get(path, { headers: { Cookie: cookie } });
  expect(res.status).toBe(200);
  return new Window({ url: t.url }).document
    .createRange()
    .createContextualFragment(await res.text());
};

async function joinPresence(cookie: string, folder: string, client: string) {
  const res = await t.get("/presence/join", {
    method: "POST",
    headers: { Cookie: cookie, Origin: t.url, "Content-Type": "application/json" },
    // A name and person id in the body are ignored with access on (A12): the session's count.
    body: JSON.stringify({ gallery_id: folder, client_id: client, name: "Forged", person_id: "x" }),
  });
  expect(res.status).toBe(200);
}

describe("A18 UI by role", () => {
  test("A18 /health.can_write answers for the asker's role: false for a viewer (session or token), true for a rater", async () => {
    const health = async (headers: Record<string, string>) =>
      (await (await t.get("/health", { headers })).json()) as {
        can_write: boolean;
        write_refusal: string | null;
      };
    const viewer = await health({ Cookie: as.viewer.cookie });
    expect(viewer.can_write).toBe(false);
    expect(viewer.write_refusal).toBe("you are a viewer here: you can view and export, not rate");
    const { secret } = await apiToken(t, owner, "viewer", "viewer bot");
    expect((await health({ Authorization: `Bearer ${secret}` })).can_write).toBe(false);
    expect(await health({ Cookie: as.rater.cookie })).toMatchObject({
      can_write: true,
      write_refusal: null,
    });
    expect((await health({ Cookie: owner })).can_write).toBe(true);
  });

  test("A18 a viewer's page has no working edit controls and says why; the server still refuses", async () => {
    const doc = await html("/?folder=/a&sel=/a/one.jpg", as.viewer.cookie);
    const app = doc.querySelector("#app");
    expect(app?.getAttribute("data-can-write")).toBe("0");
    expect(app?.getAttribute("data-role")).toBe("viewer");
    expect(doc.querySelector("#banner")?.textContent).toContain("you are a viewer here");
    for (const el of doc.querySelectorAll(
      "#inspector-body .star-buttons, #inspector-body textarea, #inspector-body input, .bulk .star-buttons, .bulk input",
    ))
      expect(`${el.tagName} ${el.hasAttribute("disabled")}`).toEndWith(" true");
    const res = await t.get("/item?path=/a/one.jpg", {
      method: "PATCH",
      headers: {
        Cookie: as.viewer.cookie,
        Origin: t.url,
        "Content-Type": "application/json",
        "Idempotency-Key": crypto.randomUUID(),
      },
      body: JSON.stringify({ set_star: 5 }),
    });
    expect(res.status).toBe(403);
  });

  test("A17 only owners and admins get the Share dialog, offering no role above their own", async () => {
    for (const who of [as.viewer.cookie, as.rater.cookie]) {
      const doc = await html("/", who);
      expect(doc.querySelector("#share-dialog, .share-button")).toBeNull();
      expect(doc.querySelector('script[src="/static/share.js"]')).toBeNull();
    }
    const rater = await html("/", as.rater.cookie);
    expect(rater.querySelector("#app")?.getAttribute("data-can-write")).toBe("1");
    for (const who of [as.admin.cookie, owner]) {
      const doc = await html("/", who);
      expect(doc.querySelector(".share-button")?.textContent).toBe("Share");
      const roles = [...doc.querySelectorAll("#share-invite-role option")].map(
        (o) => o.textContent,
      );
      expect(roles).toEqual(["viewer", "rater", "admin"]);
      expect(doc.querySelector("#share-dialog")?.getAttribute("aria-labelledby")).toBe(
        "share-title",
      );
    }
  });

  test("A17 the Share lists: open invites, live sessions, tokens; no End for yourself or a higher role", async () => {
    const made = await t.get("/access/invites", {
      method: "POST",
      headers: { Cookie: as.admin.cookie, Origin: t.url, "Content-Type": "application/json" },
      body: JSON.stringify({ role: "viewer", uses: 3, note: "for Kim" }),
    });
    const { invite } = (await made.json()) as { invite: { id: string } };
    const doc = await html("/access/share", as.admin.cookie);
    const inviteRow = doc.querySelector(`[data-invite="${invite.id}"]`);
    expect(inviteRow?.textContent).toContain("3 left");
    expect(inviteRow?.textContent).toContain("for Kim");
    // The owner link is not an invite to list, nor the command line's own key a token to revoke.
    expect(doc.textContent).not.toContain("command line");
    const row = (id: string) => doc.querySelector(`[data-session="${id}"]`);
    expect(row(as.admin.sessionId)?.textContent).toContain("this is you");
    expect(row(as.admin.sessionId)?.querySelector("[data-action]")).toBeNull();
    expect(
      row(as.rater.sessionId)?.querySelector('[data-action="share-end-session"]'),
    ).not.toBeNull();
    const ownerRow = [...doc.querySelectorAll("[data-session]")].find((li) =>
      li.textContent?.includes("owner"),
    );
    expect(ownerRow?.querySelector('[data-action="share-end-session"]')).toBeNull();
    // A revoked invite leaves the list.
    await t.get(`/access/invites/${invite.id}`, {
      method: "DELETE",
      headers: { Cookie: as.admin.cookie, Origin: t.url },
    });
    expect(
      (await html("/access/share", as.admin.cookie)).querySelector(`[data-invite="${invite.id}"]`),
    ).toBeNull();
  });
});

describe("A16 liveness probe", () => {
  test("A16 GET /health/live needs no credential and says nothing but ok", async () => {
    const res = await t.get("/health/live");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    // /health itself stays behind the login.
    expect((await t.get("/health")).status).toBe(401);
  });
});

describe("A19 who is here, by name", () => {
  test("A19 /presence/people: one row per person (not per tab) with the session's name, role and folder", async () => {
    await joinPresence(as.rater.cookie, "/a", "rater-tab-1");
    await joinPresence(as.rater.cookie, "/a", "rater-tab-2");
    await joinPresence(as.viewer.cookie, "/b", "viewer-tab");
    const doc = await html("/presence/people", as.viewer.cookie);
    const rows = [...doc.querySelectorAll(".person")].map((li) =>
      [".person-name", ".person-role", ".person-folder"]
        .map((c) => li.querySelector(c)?.textContent)
        .join("|"),
    );
    expect(rows).toEqual(["Rater Person|rater|/a", "Viewer Person|viewer|/b"]);
    expect(doc.querySelector(".person.you .person-name")?.textContent).toBe("Viewer Person");
    // A name is a link to that person's folder.
    const link = doc.querySelector(".person-link[data-folder='/a']");
    expect(link?.getAttribute("hx-get")).toBe("/?folder=%2Fa");
    expect(link?.getAttribute("hx-target")).toBe("#browse");
  });

  test("A20 a rename reaches presence at once: the others' stream hears the new name without a rejoin", async () => {
    // The rater's tabs joined in the test above; nobody rejoins here.
    const sse = await connectSSE(`${t.url}/events`, { headers: { Cookie: as.viewer.cookie } });
    try {
      const renamed = await t.get("/access/me", {
        method: "PATCH",
        headers: { Cookie: as.rater.cookie, Origin: t.url, "Content-Type": "application/json" },
        body: JSON.stringify({ name: "Łucja" }),
      });
      expect(await renamed.json()).toMatchObject({ name: "Łucja" });
      const ev = await sse.next(
        (e) =>
          e.event === "presence" && ((e.json as { names: string[] }).names ?? []).includes("Łucja"),
        2000,
      );
      expect((ev.json as { gallery_id: string; names: string[] }).names).not.toContain(
        "Rater Person",
      );
      const doc = await html("/presence/people", as.viewer.cookie);
      expect(doc.textContent).toContain("Łucja");
      expect(
        (await html("/", as.rater.cookie)).querySelector("#app")?.getAttribute("data-me-name"),
      ).toBe("Łucja");
    } finally {
      sse.close();
    }
  });
});

describe("A19 A20 the tracker's people", () => {
  test("A19 people() lists each person once, by name, at its latest tab's folder; renamePerson renames every tab", () => {
    let now = 0;
    const tr = new PresenceTracker({ now: () => now });
    tr.join("/a", "t1", "Ana", null, "p1");
    now = 10;
    tr.join("/b", "t2", "Ana", null, "p1");
    tr.join("/a", "t3", "Bo", null, "p2");
    tr.join("/c", "t4", null, null, null);
    const people = tr.people();
    expect(people.map((p) => [p.name, p.scope, p.otherScopes, p.tabs])).toEqual([
      [null, "/c", [], 1],
      ["Ana", "/b", ["/a"], 2],
      ["Bo", "/a", [], 1],
    ]);
    const heard: string[][] = [];
    tr.onChange((changed) =>
      heard.push(changed.map((c) => `${c.gallery_id}:${c.names.join(",")}`)),
    );
    tr.renamePerson("p1", "Anna");
    expect(heard.flat().sort()).toEqual(["/a:Anna,Bo", "/b:Anna"]);
    expect(tr.people().find((p) => p.personId === "p1")?.name).toBe("Anna");
  });
});
