/** @jsxImportSource hono/jsx */
/**
 * Who is here, by name: the people list the presence pill opens (GET /presence/people fills it).
 * One row per person, not per tab: name, role (access control on), the folder they are in; a name is a
 * link to that folder.
 */
import type { Role } from "../src/access/roles.ts";

export interface PersonRow {
  name: string;
  /** Null with access control off (nobody has a role then). */
  role: Role | null;
  folder: string;
  otherFolders: number;
  tabs: number;
  editing: boolean;
  /** The person asking. */
  you: boolean;
}

/** The toggle beside the presence pill and the (empty until opened) panel it shows. */
export function PeoplePanel() {
  return (
    <>
      <button
        type="button"
        id="people-toggle"
        class="people-toggle"
        popovertarget="people-panel"
        aria-controls="people-panel"
        title="Who is here, and where"
      >
        People
      </button>
      <section id="people-panel" class="people-panel" popover="auto" aria-labelledby="people-title">
        <h2 id="people-title" class="people-title">
          People here
        </h2>
        <div id="people-list" class="people-list-slot" aria-live="polite">
          <p class="muted">Loading…</p>
        </div>
      </section>
    </>
  );
}

function folderHref(folder: string): string {
  return `/?folder=${encodeURIComponent(folder)}`;
}

/** GET /presence/people: the list itself. */
export function PeopleList({ people }: { people: PersonRow[] }) {
  if (people.length === 0) return <p class="muted">Nobody is here right now.</p>;
  return (
    <ul class="people-list">
      {people.map((p) => (
        <li class={p.you ? "person you" : "person"}>
          <a
            class="person-link"
            href={folderHref(p.folder)}
            hx-get={folderHref(p.folder)}
            hx-target="#browse"
            hx-swap="outerHTML"
            hx-push-url="true"
            data-folder={p.folder}
            title={`Go to ${p.folder}`}
          >
            <span class="person-name">{p.name}</span>
            {p.you && <span class="muted"> (you)</span>}
            {p.role && <span class={`person-role role-${p.role}`}>{p.role}</span>}
            <span class="person-folder">{p.folder}</span>
            {p.otherFolders > 0 && (
              <span class="muted">
                {" "}
                +{p.otherFolders} folder{p.otherFolders === 1 ? "" : "s"}
              </span>
            )}
            {p.editing && <span class="person-editing"> editing</span>}
          </a>
        </li>
      ))}
    </ul>
  );
}
