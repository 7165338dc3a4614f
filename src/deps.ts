/**
 * Everything a route may use, built once in src/server.ts (or by a test) and
 * handed to each route factory. Routes stay thin: they validate, call one of
 * these, and render.
 */
import type { AccessRuntime } from "./access/runtime.ts";
import type { Config } from "./config.ts";
import type { Logger } from "./core/logger.ts";
import type { Dataset } from "./dataset/dataset.ts";
import type { GalleryIndex } from "./gallery/gallery-index.ts";
import type { LabelStoreApi } from "./labels/store-api.ts";
import type { EventBus } from "./live/bus.ts";
import type { Dimensions } from "./media/dimensions.ts";
import type { ExifReader } from "./media/exif.ts";
import type { PerceptualHashes } from "./media/phash.ts";
import type { RootFiles } from "./media/root-file.ts";
import type { Thumbnailer } from "./media/thumbnails.ts";
import type { PresenceApi } from "./presence/api.ts";
import type { BackendHealth } from "./redis/backend-health.ts";
import type { XmpSeeder } from "./xmp/seed.ts";
import type { XmpWriter } from "./xmp/sync.ts";

export type { Logger } from "./core/logger.ts";

export interface AppDeps {
  config: Config;
  gallery: GalleryIndex;
  labels: LabelStoreApi;
  bus: EventBus;
  thumbs: Thumbnailer;
  dims: Dimensions;
  /** The one way image bytes are opened (inside the root, checked on the descriptor). */
  files: RootFiles;
  presence: PresenceApi;
  log: Logger;
  /** Invites, sessions, API tokens: present only when config.access is "token". */
  access?: AccessRuntime;
  /** With --redis: the shared backend's part of /health (src/scale-out.ts). */
  backend?: () => Promise<BackendHealth>;
  /** The table being served (`lenslet TABLE`), or null for a folder. */
  dataset?: Dataset | null;
  /** Culling (issue 12): EXIF facts, perceptual hashes, XMP in (seeder) and out (writer, --xmp write). */
  exif: ExifReader;
  hashes: PerceptualHashes;
  xmpSeeder: XmpSeeder | null;
  xmpWriter: XmpWriter | null;
}
