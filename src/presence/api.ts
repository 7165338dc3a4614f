/**
 * What the routes use of presence. PresenceTracker (tracker.ts, in memory,
 * one process) answers at once; RedisPresence (redis-presence.ts, several
 * processes) answers from Redis. The routes await either.
 */
import type { PresenceCounts } from "../live/protocol.ts";
import type {
  EditResult,
  JoinResult,
  LeaveResult,
  MoveResult,
  PersonHere,
  Result,
  TrackerStats,
} from "./tracker.ts";

export type Awaitable<T> = T | Promise<T>;

export interface PresenceApi {
  readonly viewTtlMs: number;
  readonly editTtlMs: number;
  readonly lifecycleV2: boolean;
  readonly maxSessions: number;
  join(
    galleryId: string,
    clientId: string,
    name?: string | null,
    leaseId?: string | null,
    personId?: string | null,
  ): Awaitable<Result<JoinResult>>;
  move(from: string, to: string, clientId: string, leaseId: string): Awaitable<Result<MoveResult>>;
  leave(galleryId: string, clientId: string, leaseId: string): Awaitable<Result<LeaveResult>>;
  heartbeat(
    galleryId: string,
    clientId: string,
    name?: string | null,
    personId?: string | null,
  ): Awaitable<Result<PresenceCounts>>;
  touchEdit(clientId: string, galleryId?: string | null): Awaitable<EditResult>;
  counts(galleryId: string): Awaitable<PresenceCounts>;
  /** Everyone present, one row per person. */
  people(): Awaitable<PersonHere[]>;
  diagnostics(): TrackerStats;
}
