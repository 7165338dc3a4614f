/** @jsxImportSource hono/jsx */

import type { Child } from "hono/jsx";
import { AccessNotices } from "./AccessNotices.tsx";
import { ActivityMenu } from "./Activity.tsx";
import { Browse } from "./Browse.tsx";
import { BulkInspector } from "./BulkInspector.tsx";
import { AutoAdvanceSwitch } from "./CullFilters.tsx";
import { ExportMenu } from "./ExportMenu.tsx";
import { FolderTree } from "./FolderTree.tsx";
import { Inspector } from "./Inspector.tsx";
import { MetricsSection } from "./MetricsPanel.tsx";
import type { AppShellModel, TreeNode } from "./model.ts";
import { PeoplePanel } from "./People.tsx";
import { SavedViewsSection } from "./SavedViews.tsx";
import { ShareDialog } from "./ShareDialog.tsx";
import { Shortcuts } from "./Shortcuts.tsx";
import { Viewer, type ViewerModel } from "./Viewer.tsx";

export function Document({ title, children }: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {/* No settle step: it puts a swapped element's old class back and then the server's over it,
            erasing what Alpine bound meanwhile (the status bar's "live", "saved"). Nothing here
            animates through it. */}
        <meta
          name="htmx-config"
          content='{"defaultSwap":"innerHTML","history":true,"defaultSettleDelay":0}'
        />
        <title>{title}</title>
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/static/app.min.css" />
        {/* htmx, its SSE extension, our modules and Alpine in one minified file (src/routes/static.ts). */}
        <script src="/static/bundle.js" defer />
      </head>
      <body>{children}</body>
    </html>
  );
}

/** Opens the folder tree or the inspector: a drawer on narrow screens (public/drawers.js). */
function DrawerToggle({
  name,
  controls,
  label,
  icon,
}: {
  name: "tree" | "inspector";
  controls: string;
  label: string;
  icon: string;
}) {
  return (
    <button
      type="button"
      class={`drawer-toggle ${name}`}
      data-drawer-toggle={name}
      aria-controls={controls}
      aria-expanded="false"
      title={name === "tree" ? `${label} (Ctrl/⌘+B)` : label}
    >
      <span class="drawer-icon" aria-hidden="true">
        {icon}
      </span>{" "}
      <span class="drawer-label">{label}</span>
    </button>
  );
}

/** Stays on screen while labels are not fully durable, so nobody is surprised later. */
export function Banner({
  canWrite,
  writeRefusal,
  notice,
  durability,
}: {
  canWrite: boolean;
  writeRefusal: string | null;
  notice: string | null;
  durability: string;
}) {
  if (writeRefusal) {
    return (
      <div id="banner" class="banner warn" role="status" data-write-refusal="1">
        Edits from this page will not be saved: {writeRefusal}.
      </div>
    );
  }
  if (!canWrite) {
    return (
      <div id="banner" class="banner warn" role="status">
        Not saved to disk: edits are lost when Lenslet stops.
        {notice && <span class="muted"> {notice}</span>}
      </div>
    );
  }
  if (!notice && durability !== "relaxed") return null;
  return (
    <div id="banner" class="banner info" role="status">
      {durability === "relaxed" &&
        "Relaxed durability: edits reach the disk within a second; a crash may lose the last second. "}
      {notice}
    </div>
  );
}

/** The full page: topbar, folder tree, browse region, inspector, and (with view=1) the viewer. */
export function Page({
  m,
  root,
  viewer,
}: {
  m: AppShellModel;
  root: TreeNode;
  viewer: ViewerModel | null;
}) {
  const canShare = (m.access?.grantable.length ?? 0) > 0;
  return (
    <Document title={m.title}>
      <div
        id="app"
        class="app"
        data-access={m.access ? "token" : undefined}
        data-role={m.access?.role}
        data-me-name={m.access?.name}
        data-can-write={m.canWrite && !m.writeRefusal ? "1" : "0"}
        data-write-refusal={m.writeRefusal ?? undefined}
        data-durability={m.durability}
        data-last-event-id={String(m.lastEventId)}
      >
        {/* Past the top bar, the toolbar and the tree in one key (public/focus-keys.js: notes or, with
            nothing selected, the inspector). */}
        <nav class="skip-links" aria-label="Skip links">
          <a class="skip-link" href="#grid-list">
            Skip to the images
          </a>
          <a class="skip-link" href="#notes-input" data-skip="notes">
            Skip to notes
          </a>
        </nav>
        <header class="topbar">
          <DrawerToggle name="tree" controls="sidebar" label="Folders" icon="☰" />
          <a class="brand" href="/" title="Lenslet home">
            <span class="logo" aria-hidden="true">
              ◐
            </span>{" "}
            <span class="brand-name">Lenslet</span>
          </a>
          <span class="spacer" />
          <AutoAdvanceSwitch />
          <span class="typing-cue" x-data x-show="$store.live.typing" x-cloak>
            typing…
          </span>
          <span
            id="presence"
            class="presence"
            x-data
            x-bind:class="$store.live.state"
            tabindex={0}
            role="status"
            aria-live="polite"
          >
            <span class="dot" aria-hidden="true" />
            <span class="presence-count" x-text="$store.live.count">
              …
            </span>
            <span class="presence-label" x-text="$store.live.label" />
            <span class="presence-detail" role="tooltip">
              <span class="presence-numbers" x-text="$store.live.detail" />
              <template x-for="n in $store.live.names">
                <span class="presence-name" x-text="n" />
              </template>
            </span>
          </span>
          <PeoplePanel />
          <ActivityMenu />
          <ExportMenu q={m.browse.q} />
          {canShare && (
            <button
              type="button"
              class="share-button"
              data-action="share-open"
              aria-haspopup="dialog"
              aria-controls="share-dialog"
            >
              Share
            </button>
          )}
          <button
            type="button"
            class="who"
            data-action="rename"
            title={
              m.access
                ? `Your name, shown to others (you are ${m.access.role})`
                : "Your name, shown to others"
            }
            x-data
            x-text="$store.me.name"
          >
            {m.access?.name ?? "you"}
          </button>
          <DrawerToggle name="inspector" controls="inspector" label="Details" icon="i" />
        </header>
        <Banner
          canWrite={m.canWrite}
          writeRefusal={m.writeRefusal}
          notice={m.notice}
          durability={m.durability}
        />
        {/* Asked once: a strip under the top bar that covers nothing and blocks nothing. */}
        <form id="whoami" class="whoami" data-action="whoami-form" hidden>
          <label for="whoami-name">Your name, shown to the others working on this gallery:</label>
          <input id="whoami-name" name="name" maxlength={64} autocomplete="nickname" />
          <button type="submit">OK</button>
          <button type="button" class="link-button" data-action="whoami-close" aria-label="Not now">
            ×
          </button>
        </form>
        {/* Each region's requests queue on its own container; the newest replaces an older one in flight. */}
        <div id="columns" class="columns" hx-sync="this:replace">
          <aside id="sidebar" class="sidebar" aria-label="Folders" tabindex={-1}>
            <FolderTree root={root} m={m.tree} />
            <SavedViewsSection />
            <MetricsSection />
          </aside>
          <Browse m={m.browse} />
          <aside
            id="inspector"
            class="inspector"
            aria-label="Details"
            tabindex={-1}
            hx-sync="this:replace"
          >
            {/* Several selected: public/bulk-inspector.js fetches it (POST /inspector/many) and hides the single one. */}
            <BulkInspector m={null} readOnly={m.writeRefusal} />
            <div class="single-inspector">
              <Inspector item={m.browse.selected} readOnly={m.writeRefusal} />
            </div>
            <p class="sel-message muted" role="status" x-data x-text="$store.sel.message" />
          </aside>
        </div>
        {/* Behind an open drawer (narrow screens): a tap beside it closes it. */}
        <div class="drawer-backdrop" data-action="close-drawer" aria-hidden="true" />
        <div id="viewer-slot" hx-sync="this:replace">
          {viewer && <Viewer v={viewer} readOnly={m.writeRefusal} />}
        </div>
        <Shortcuts />
        {m.access && <AccessNotices />}
        {canShare && m.access && <ShareDialog grantable={m.access.grantable} />}
        <div id="oob-sink" hidden />
      </div>
    </Document>
  );
}
