/** @jsxImportSource hono/jsx */
import { browseHref } from "../src/gallery/browse-query.ts";
import { formatCount } from "./format.ts";
import type { TreeChildrenModel, TreeNode } from "./model.ts";

function FolderLink({ node, m }: { node: TreeNode; m: TreeChildrenModel }) {
  const href = browseHref(m.q, { folder: node.path, sel: undefined });
  return (
    <a
      href={href}
      hx-get={href}
      hx-target="#browse"
      hx-swap="outerHTML"
      hx-push-url="true"
      class={node.path === m.current ? "folder-link current" : "folder-link"}
      data-folder={node.path}
      aria-current={node.path === m.current ? "page" : undefined}
    >
      <span class="folder-name">{node.name}</span>
      <span class="count">{formatCount(node.totalImages)}</span>
    </a>
  );
}

function Node({ node, m }: { node: TreeNode; m: TreeChildrenModel }) {
  if (node.childCount === 0) {
    return (
      <li class="tree-node leaf" data-folder={node.path}>
        <FolderLink node={node} m={m} />
      </li>
    );
  }
  const loaded = node.children !== null;
  const fetchAttrs = loaded
    ? {}
    : {
        "hx-get": `/tree?folder=${encodeURIComponent(node.path)}&current=${encodeURIComponent(m.current)}`,
        "hx-trigger": "toggle once",
        "hx-target": "find .tree-children",
        "hx-swap": "innerHTML",
      };
  // The link and the toggle are siblings (a link inside a summary nests one control in another); CSS puts the
  // toggle on the link's row.
  return (
    <li class="tree-node branch" data-folder={node.path}>
      <FolderLink node={node} m={m} />
      <details open={loaded} {...fetchAttrs}>
        <summary aria-label={`Subfolders of ${node.name}`} />
        <ul class="tree-children">
          {loaded ? (
            <TreeChildren
              m={{
                ...m,
                parent: node.path,
                nodes: node.children!,
                remaining: node.remaining,
                nextOffset: node.children!.length,
              }}
            />
          ) : (
            <li class="loading">Loading…</li>
          )}
        </ul>
      </details>
    </li>
  );
}

/** The children of one folder, paged: GET /tree?folder=&offset= returns exactly this. */
export function TreeChildren({ m }: { m: TreeChildrenModel }) {
  return (
    <>
      {m.nodes.map((n) => (
        <Node node={n} m={m} />
      ))}
      {m.remaining > 0 && (
        <li class="more">
          <button
            type="button"
            hx-get={`/tree?folder=${encodeURIComponent(m.parent)}&offset=${m.nextOffset}&current=${encodeURIComponent(m.current)}`}
            hx-target="closest li"
            hx-swap="outerHTML"
          >
            Show {formatCount(m.remaining)} more
          </button>
        </li>
      )}
    </>
  );
}

export function FolderTree({ root, m }: { root: TreeNode; m: TreeChildrenModel }) {
  return (
    <nav id="tree" class="tree" aria-label="Folders" hx-sync="this:queue all">
      <ul>
        <li class="tree-node root" data-folder="/">
          <FolderLink node={root} m={m} />
          <ul class="tree-children">
            <TreeChildren m={m} />
          </ul>
        </li>
      </ul>
    </nav>
  );
}
