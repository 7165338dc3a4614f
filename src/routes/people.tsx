/** @jsxImportSource hono/jsx */
/**
 * GET /presence/people: who is here, by name, as the fragment the presence pill opens. One row per
 * person (the tracker counts people, not tabs), with the role their session or token holds when
 * access control is on and the folder they are in.
 */
import { Hono } from "hono";
import { PeopleList, type PersonRow } from "../../views/People.tsx";
import type { AppDeps } from "../deps.ts";
import { principalOf } from "./principal-actor.ts";

export function peopleRoutes(deps: Pick<AppDeps, "presence" | "access">): Hono {
  const app = new Hono();
  app.get("/presence/people", async (c) => {
    const me = principalOf(c);
    const store = deps.access?.store;
    const people: PersonRow[] = (await deps.presence.people()).map((p) => ({
      name: p.name ?? "someone",
      role: p.personId && store ? store.personRole(p.personId) : null,
      folder: p.scope,
      otherFolders: p.otherScopes.length,
      tabs: p.tabs,
      editing: p.editing,
      you: me !== undefined && p.personId === me.personId,
    }));
    return c.html(`${<PeopleList people={people} />}`, 200, { "Cache-Control": "no-store" });
  });
  return app;
}
