/** @jsxImportSource hono/jsx */
/**
 * The few pages access control shows before there is a session: the invite
 * form (choose your name once), and "you need a link". Server-rendered, no script.
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";

const DOCTYPE = "<!DOCTYPE html>";

function Shell(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title} · Lenslet</title>
        <style>{`body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:15vh auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}
button{font:inherit;margin-top:.8rem;padding:.4rem 1rem}code{background:#eee;padding:0 .2rem}`}</style>
      </head>
      <body>{props.children}</body>
    </html>
  );
}

function page(c: Context, status: 200 | 401 | 403 | 429, body: unknown): Response {
  // Referrer-Policy stays the app's same-origin: no-referrer would make the form's Origin "null".
  return c.html(`${DOCTYPE}${body}`, status, { "Cache-Control": "no-store" });
}

/** GET /?invite=…: the link is good; ask for the name the session will carry. */
export function invitePage(c: Context, invite: string, role: string): Response {
  return page(
    c,
    200,
    <Shell title="Join">
      <h1>You are invited to this gallery</h1>
      <p>
        You will join as <strong>{role}</strong>. Choose the name others will see beside your edits;
        it stays with you in this browser.
      </p>
      <form method="post" action="/access/join">
        <input type="hidden" name="invite" value={invite} />
        <label>
          Your name
          <input name="name" required maxlength={64} autofocus autocomplete="name" />
        </label>
        <button type="submit">Join</button>
      </form>
    </Shell>,
  );
}

const REASONS: Record<string, string> = {
  guess: "This link is not valid.",
  revoked: "This link was revoked.",
  expired: "This link has expired.",
  used_up: "This link has been used as many times as it allows.",
  wrong_kind: "This link is not valid.",
  ended: "Your access to this gallery was ended.",
  none: "This gallery is shared by link only.",
};

/** No (valid) credential: say how to get access. */
export function noAccessPage(
  c: Context,
  reason: keyof typeof REASONS | string,
  status: 401 | 403 | 429 = 401,
): Response {
  return page(
    c,
    status,
    <Shell title="Access needed">
      <h1>{REASONS[reason] ?? REASONS.none}</h1>
      <p>
        To open it, ask the person who runs Lenslet for a link. They can make one from the gallery's
        Share dialog, or on their machine with <code>lenslet DIR --invite viewer</code> (or{" "}
        <code>rater</code>, <code>admin</code>). The owner's own link is printed when Lenslet
        starts.
      </p>
    </Shell>,
  );
}

export const REFUSAL_TEXT = REASONS;
