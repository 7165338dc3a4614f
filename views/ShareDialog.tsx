/** @jsxImportSource hono/jsx */
/**
 * The Share dialog, rendered into the page for owners and admins only (a rater or viewer gets none):
 * invite links with a role (never above the asker's own), optional expiry and use count; API tokens;
 * and, from GET /access/share, the lists of invites, sessions and tokens with revoke / end buttons.
 * Every action goes through the /access JSON API (public/share.js); the server checks each one.
 */
import { atLeast, type GrantableRole, type Role } from "../src/access/roles.ts";
import { formatDate } from "./format.ts";

export interface ShareInviteRow {
  id: string;
  role: Role;
  created_at: number;
  expires_at: number | null;
  uses: number;
  uses_left: number | null;
  note: string | null;
}
export interface ShareSessionRow {
  id: string;
  name: string;
  role: Role;
  last_seen_at: number;
  created_at: number;
  current: boolean;
}
export interface ShareTokenRow {
  id: string;
  name: string;
  role: Role;
  created_at: number;
  last_used_at: number | null;
}
export interface ShareListsModel {
  myRole: Role;
  invites: ShareInviteRow[];
  sessions: ShareSessionRow[];
  tokens: ShareTokenRow[];
}

const EXPIRIES: [string, string][] = [
  ["", "never"],
  ["3600", "in 1 hour"],
  ["86400", "in 1 day"],
  ["604800", "in 7 days"],
  ["2592000", "in 30 days"],
];

function RoleSelect({
  id,
  roles,
  autofocus = false,
}: {
  id: string;
  roles: readonly GrantableRole[];
  autofocus?: boolean;
}) {
  return (
    <select id={id} name="role" autofocus={autofocus}>
      {roles.map((r) => (
        <option value={r} selected={r === "viewer"}>
          {r}
        </option>
      ))}
    </select>
  );
}

/** The dialog shell with its two forms; the lists load when it opens. */
export function ShareDialog({ grantable }: { grantable: readonly GrantableRole[] }) {
  return (
    <dialog id="share-dialog" class="share-dialog" aria-labelledby="share-title">
      <header class="share-head">
        <h2 id="share-title">Share this gallery</h2>
        <button type="button" class="link-button" data-action="share-close" aria-label="Close">
          ×
        </button>
      </header>
      <p id="share-status" class="share-status" role="status" aria-live="polite" />
      <section aria-labelledby="share-invite-title">
        <h3 id="share-invite-title">Invite link</h3>
        <form class="share-form" data-action="share-invite">
          <label for="share-invite-role">Role</label>
          {/* Where focus lands when the dialog opens: the first choice to make. */}
          <RoleSelect id="share-invite-role" roles={grantable} autofocus />
          <label for="share-invite-expires">Expires</label>
          <select id="share-invite-expires" name="expires_in">
            {EXPIRIES.map(([v, t]) => (
              <option value={v}>{t}</option>
            ))}
          </select>
          <label for="share-invite-uses">Uses</label>
          <input
            id="share-invite-uses"
            name="uses"
            type="number"
            min="1"
            max="100000"
            placeholder="unlimited"
          />
          <button type="submit">Create link</button>
        </form>
        <div class="share-result" id="share-invite-result" hidden>
          <label for="share-link">Link: send it to the person you invite</label>
          <input id="share-link" readonly />
          <button type="button" data-action="share-copy" data-copy="share-link">
            Copy link
          </button>
        </div>
      </section>
      <section aria-labelledby="share-token-title">
        <h3 id="share-token-title">API token for a script</h3>
        <form class="share-form" data-action="share-token">
          <label for="share-token-name">Name</label>
          <input
            id="share-token-name"
            name="name"
            maxlength={64}
            required
            placeholder="nightly scores"
          />
          <label for="share-token-role">Role</label>
          <RoleSelect id="share-token-role" roles={grantable} />
          <button type="submit">Create token</button>
        </form>
        <div class="share-result" id="share-token-result" hidden>
          <label for="share-secret">Secret (shown this once: copy it now)</label>
          <input id="share-secret" readonly />
          <button type="button" data-action="share-copy" data-copy="share-secret">
            Copy secret
          </button>
        </div>
      </section>
      <div id="share-lists" class="share-lists">
        <p class="muted">Loading…</p>
      </div>
    </dialog>
  );
}

function expiry(at: number | null): string {
  return at === null ? "never expires" : `expires ${formatDate(at)} UTC`;
}

/** GET /access/share: what is open now, each with its revoke or end button. */
export function ShareLists({ m }: { m: ShareListsModel }) {
  return (
    <>
      <section aria-labelledby="share-invites-title">
        <h3 id="share-invites-title">Open invite links ({m.invites.length})</h3>
        {m.invites.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <ul class="share-list">
            {m.invites.map((i) => (
              <li data-invite={i.id}>
                <span class={`person-role role-${i.role}`}>{i.role}</span>{" "}
                <span>
                  used {i.uses}
                  {i.uses_left === null ? "" : `, ${i.uses_left} left`} · {expiry(i.expires_at)}
                </span>
                {i.note && <span class="muted"> · {i.note}</span>}
                <button
                  type="button"
                  data-action="share-revoke-invite"
                  data-id={i.id}
                  aria-label={`Revoke the ${i.role} link made ${formatDate(i.created_at)}`}
                >
                  Revoke
                </button>
                <button
                  type="button"
                  data-action="share-revoke-invite"
                  data-id={i.id}
                  data-end-sessions="1"
                  aria-label={`Revoke and end its sessions: the ${i.role} link made ${formatDate(i.created_at)}`}
                >
                  Revoke and end its sessions
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="share-sessions-title">
        <h3 id="share-sessions-title">Who is in ({m.sessions.length})</h3>
        <ul class="share-list">
          {m.sessions.map((s) => (
            <li data-session={s.id}>
              <strong class="session-name">{s.name}</strong>{" "}
              <span class={`person-role role-${s.role}`}>{s.role}</span>{" "}
              <span class="muted">last seen {formatDate(s.last_seen_at)} UTC</span>
              {s.current ? (
                <span class="muted"> · this is you</span>
              ) : (
                atLeast(m.myRole, s.role) && (
                  <button
                    type="button"
                    data-action="share-end-session"
                    data-id={s.id}
                    aria-label={`End session of ${s.name}`}
                  >
                    End session
                  </button>
                )
              )}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="share-tokens-title">
        <h3 id="share-tokens-title">API tokens ({m.tokens.length})</h3>
        {m.tokens.length === 0 ? (
          <p class="muted">None.</p>
        ) : (
          <ul class="share-list">
            {m.tokens.map((t) => (
              <li data-token={t.id}>
                <strong>{t.name}</strong> <span class={`person-role role-${t.role}`}>{t.role}</span>{" "}
                <span class="muted">
                  {t.last_used_at === null
                    ? "never used"
                    : `last used ${formatDate(t.last_used_at)} UTC`}
                </span>
                <button
                  type="button"
                  data-action="share-revoke-token"
                  data-id={t.id}
                  aria-label={`Revoke the token ${t.name}`}
                >
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
