/** @jsxImportSource hono/jsx */
/**
 * GET /access/share: the Share dialog's lists (open invite links, live sessions, API tokens) as a
 * fragment. The guard has checked the admin role (route table); the actions go through the JSON API
 * in src/routes/access.ts.
 */
import { Hono } from "hono";
import { ShareLists } from "../../views/ShareDialog.tsx";
import { inviteRefusal } from "../access/records.ts";
import { LOCAL_KEY_CREATOR } from "../access/store.ts";
import type { AppDeps } from "../deps.ts";
import { jsonError } from "./errors.ts";
import { principalOf } from "./principal-actor.ts";

export function shareRoutes(deps: Pick<AppDeps, "access">): Hono {
  const app = new Hono();
  app.get("/access/share", (c) => {
    const me = principalOf(c);
    const store = deps.access?.store;
    if (!store || !me) {
      return jsonError(c, 409, "access_off", "access control is off: there is nothing to share");
    }
    const newest = <T extends { created_at: number }>(a: T, b: T) => b.created_at - a.created_at;
    const m = {
      myRole: me.role,
      invites: store
        .listInvites()
        .filter((i) => i.kind === "invite" && inviteRefusal(i, Date.now()) === null)
        .sort(newest),
      sessions: store
        .listSessions()
        .filter((s) => s.revoked_at === null)
        .map((s) => ({ ...s, current: s.id === me.credentialId }))
        .sort(newest),
      tokens: store
        .listTokens()
        // The command line's own key (A13) is the server's, not someone's to revoke here.
        .filter((t) => t.revoked_at === null && t.created_by !== LOCAL_KEY_CREATOR)
        .sort(newest),
    };
    return c.html(`${<ShareLists m={m} />}`, 200, { "Cache-Control": "no-store" });
  });
  return app;
}
