/**
 * Presence of a gallery served by several processes: the tracker's rules
 * (tracker.ts: a tab is one session in one scope, people counted by person
 * id, the newest name of a person, leases, view and edit TTLs, the session
 * bound) run as one Lua script on the Redis server, against sessions kept
 * there, on the server's clock. So every process answers the same counts, a
 * lease issued through one process is honoured by the others, and a process
 * that dies leaves its sessions to expire within the view TTL like any
 * silent tab. Each change of a scope's numbers is appended to the gallery's
 * event stream by the same script, so every process's pages hear it once, in
 * order. The same tests run against both (test/presence/contract.ts).
 */
import type { PresenceCounts } from "../live/protocol.ts";
import type { Redis } from "../redis/client.ts";
import { Script } from "../redis/client.ts";
import type { GalleryKeys } from "../redis/keys.ts";
import { APPEND_LUA } from "../redis/stream-lua.ts";
import {
  type EditResult,
  type JoinResult,
  type LeaveResult,
  MAX_NAMES,
  type MoveResult,
  type PersonHere,
  type PresenceError,
  peopleOf,
  type Result,
  type SessionView,
  type TrackerStats,
} from "./tracker.ts";

/**
 * ARGV: sessionPrefix, scopePrefix, all, published, names, viewTtl, editTtl, maxSessions,
 * seqKey, streamKey, epochKey, maxlen, op, op args…
 * Counts come back as {scope, viewing, editing, sessions, name…}.
 */
const PRESENCE = new Script(`${APPEND_LUA}
local SP, ZP, ALL, PUB, NAMES = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local viewTtl, editTtl, maxS = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local SEQ, STREAM, EPOCH, MAXLEN = ARGV[9], ARGV[10], ARGV[11], ARGV[12]
local op = ARGV[13]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local touched, order = {}, {}
local pruned = 0
local function touch(s) if not touched[s] then touched[s] = true; order[#order + 1] = s end end
local function load(c)
  local h = redis.call('HGETALL', SP .. c)
  if #h == 0 then return nil end
  local s = {client = c}
  for i = 1, #h, 2 do s[h[i]] = h[i + 1] end
  s.lastSeen = tonumber(s.lastSeen); s.namedAt = tonumber(s.namedAt); s.editAt = tonumber(s.editAt)
  return s
end
local function save(s)
  redis.call('HSET', SP .. s.client, 'person', s.person, 'namedAt', s.namedAt, 'scope', s.scope,
    'lease', s.lease, 'name', s.name, 'lastSeen', s.lastSeen, 'editAt', s.editAt, 'editScope', s.editScope)
  redis.call('PEXPIRE', SP .. s.client, viewTtl * 2)
  redis.call('ZADD', ZP .. s.scope, s.lastSeen, s.client)
  redis.call('ZADD', ALL, s.lastSeen, s.client)
end
local function remove(s)
  redis.call('DEL', SP .. s.client)
  redis.call('ZREM', ZP .. s.scope, s.client)
  redis.call('ZREM', ALL, s.client)
  touch(s.scope)
end
local function live(c)
  local s = load(c)
  if not s then redis.call('ZREM', ALL, c); return nil end
  if now - s.lastSeen < viewTtl then return s end
  remove(s); pruned = pruned + 1
  return nil
end
local function dropStale()
  local old = redis.call('ZRANGEBYSCORE', ALL, '-inf', now - viewTtl, 'LIMIT', 0, 1000)
  for _, c in ipairs(old) do
    local s = load(c)
    if s then remove(s) else redis.call('ZREM', ALL, c) end
    pruned = pruned + 1
  end
end
local function hasRoom()
  if redis.call('ZCARD', ALL) < maxS then return true end
  dropStale()
  return redis.call('ZCARD', ALL) < maxS
end
local function personKey(c, pid) if pid ~= '' then return 'p:' .. pid end return 's:' .. c end
local function insert(scope, c, lease, name, pid)
  local s = {client = c, person = personKey(c, pid), namedAt = 0, scope = scope, lease = lease,
    name = name, lastSeen = now, editAt = 0, editScope = ''}
  if name ~= '' then s.namedAt = redis.call('INCR', NAMES) end
  save(s); touch(scope)
  return s
end
local function refresh(s, scope, name, pid)
  touch(s.scope)
  if s.scope ~= scope then
    redis.call('ZREM', ZP .. s.scope, s.client)
    s.scope = scope
    touch(scope)
  end
  if name ~= '' and name ~= s.name then s.name = name; s.namedAt = redis.call('INCR', NAMES) end
  if pid ~= '' then s.person = personKey(s.client, pid) end
  s.lastSeen = now
  save(s)
end
local function counts(scope)
  local members = redis.call('ZRANGEBYSCORE', ZP .. scope, '(' .. (now - viewTtl), '+inf')
  local editors, named, people, nEditors, sessions = {}, {}, 0, 0, 0
  for _, c in ipairs(members) do
    local s = load(c)
    if s and s.scope == scope then
      sessions = sessions + 1
      if s.editScope == scope and now - s.editAt < editTtl and not editors[s.person] then
        editors[s.person] = true; nEditors = nEditors + 1
      end
      local best = named[s.person]
      if best == nil then people = people + 1 end
      if s.name ~= '' and (not best or s.namedAt > best.namedAt) then
        named[s.person] = {name = s.name, namedAt = s.namedAt}
      elseif best == nil then
        named[s.person] = false
      end
    end
  end
  local names, seen = {}, {}
  for _, b in pairs(named) do
    if b and not seen[b.name] then seen[b.name] = true; names[#names + 1] = b.name end
  end
  table.sort(names)
  local out = {scope, people, nEditors, sessions}
  for _, n in ipairs(names) do out[#out + 1] = n end
  return out
end
local function flush()
  local epoch = redis.call('GET', EPOCH)
  for _, scope in ipairs(order) do
    local c = counts(scope)
    local key = c[2] .. '|' .. c[3] .. '|' .. c[4]
    local quoted = {}
    for i = 5, #c do key = key .. '|' .. c[i]; quoted[#quoted + 1] = cjson.encode(c[i]) end
    local before = redis.call('HGET', PUB, scope) or '0|0|0'
    if key ~= before then
      if c[2] == 0 then redis.call('HDEL', PUB, scope) else redis.call('HSET', PUB, scope, key) end
      if epoch then
        append(SEQ, STREAM, epoch, MAXLEN, 'presence', '{"gallery_id":' .. cjson.encode(scope) ..
          ',"viewing":' .. c[2] .. ',"editing":' .. c[3] .. ',"names":[' .. table.concat(quoted, ',') ..
          '],"sessions":' .. c[4] .. '}')
      end
    end
  end
end
local function finish(reply)
  flush()
  reply[#reply + 1] = pruned
  return reply
end

if op == 'join' then
  local scope, c, name, lease, pid, fresh = ARGV[14], ARGV[15], ARGV[16], ARGV[17], ARGV[18], ARGV[19]
  touch(scope)
  local s = live(c)
  local created = 0
  if not s then
    if not hasRoom() then return finish({'presence_full'}) end
    s = insert(scope, c, fresh, name, pid)
    created = 1
  elseif s.lease == '' then
    s.lease = fresh
    refresh(s, scope, name, pid)
  elseif s.lease ~= lease then
    return finish({'invalid_lease'})
  else
    refresh(s, scope, name, pid)
  end
  flush()
  return {'ok', counts(scope), s.lease, created, pruned}
elseif op == 'move' then
  local from, to, c, lease = ARGV[14], ARGV[15], ARGV[16], ARGV[17]
  touch(from); touch(to)
  local s = live(c)
  if not s or s.lease == '' or s.lease ~= lease then return finish({'invalid_lease'}) end
  if s.scope ~= from and s.scope ~= to then return finish({'scope_mismatch'}) end
  local moved = 0
  if s.scope ~= to then moved = 1 end
  refresh(s, to, '', '')
  flush()
  return {'ok', counts(from), counts(to), lease, moved, pruned}
elseif op == 'leave' then
  local scope, c, lease = ARGV[14], ARGV[15], ARGV[16]
  touch(scope)
  local s = live(c)
  if not s then flush(); return {'ok', 0, counts(scope), pruned} end
  if s.lease == '' or s.lease ~= lease then return finish({'invalid_lease'}) end
  remove(s)
  flush()
  return {'ok', 1, counts(s.scope), pruned}
elseif op == 'heartbeat' then
  local scope, c, name, pid = ARGV[14], ARGV[15], ARGV[16], ARGV[17]
  touch(scope)
  local s = live(c)
  if s and s.lease ~= '' then return finish({'invalid_lease'}) end
  if not s then
    if not hasRoom() then return finish({'presence_full'}) end
    insert(scope, c, '', name, pid)
  else
    refresh(s, scope, name, pid)
  end
  flush()
  return {'ok', counts(scope), pruned}
elseif op == 'touch' then
  local c, scope = ARGV[14], ARGV[15]
  local s = live(c)
  if not s then flush(); return {'ok', 0, false, pruned} end
  if scope == '' then scope = s.scope end
  s.editAt = now; s.editScope = scope; s.lastSeen = now
  save(s)
  touch(s.scope)
  flush()
  local counted = 0
  if scope == s.scope then counted = 1 end
  return {'ok', counted, counts(s.scope), pruned}
elseif op == 'prune' then
  dropStale()
  for _, scope in ipairs(redis.call('HKEYS', PUB)) do touch(scope) end
  flush()
  return {'ok', redis.call('ZCARD', ALL), redis.call('HLEN', PUB), pruned}
elseif op == 'people' then
  local out = {'ok'}
  for _, c in ipairs(redis.call('ZRANGEBYSCORE', ALL, '(' .. (now - viewTtl), '+inf')) do
    local s = load(c)
    if s then
      out[#out + 1] = {s.person, s.name, s.namedAt, s.scope, s.lastSeen, s.editAt, s.editScope}
    end
  end
  out[#out + 1] = now
  out[#out + 1] = pruned
  return out
elseif op == 'rename' then
  local key, name = 'p:' .. ARGV[14], ARGV[15]
  for _, c in ipairs(redis.call('ZRANGE', ALL, 0, -1)) do
    local s = load(c)
    if s and s.person == key and s.name ~= name then
      s.name = name; s.namedAt = redis.call('INCR', NAMES)
      save(s); touch(s.scope)
    end
  end
  flush()
  return {'ok', pruned}
elseif op == 'counts' then
  return {'ok', counts(ARGV[14]), pruned}
end
return redis.error_reply('unknown presence op ' .. op)
`);

const collator = new Intl.Collator("en");

/** Names as the tracker gives them: sorted for people (not bytes), at most MAX_NAMES. */
export function presentableCounts(c: PresenceCounts): PresenceCounts {
  return { ...c, names: [...c.names].sort(collator.compare).slice(0, MAX_NAMES) };
}

function countsOf(raw: unknown): PresenceCounts {
  const a = raw as (string | number)[];
  return presentableCounts({
    gallery_id: String(a[0]),
    viewing: Number(a[1]),
    editing: Number(a[2]),
    names: a.slice(4).map(String),
    sessions: Number(a[3]),
  });
}

export interface RedisPresenceOptions {
  redis: Redis;
  keys: GalleryKeys;
  viewTtlMs: number;
  editTtlMs: number;
  maxSessions: number;
  streamMaxLen: number;
  newLeaseId?: () => string;
}

function randomLeaseId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64url");
}

export class RedisPresence {
  readonly viewTtlMs: number;
  readonly editTtlMs: number;
  readonly lifecycleV2 = true;
  readonly maxSessions: number;
  private readonly opts: RedisPresenceOptions;
  private readonly newLeaseId: () => string;
  private stats = {
    active_clients: 0,
    active_scopes: 0,
    stale_pruned_total: 0,
    invalid_lease_total: 0,
    scope_mismatch_total: 0,
    presence_full_total: 0,
  };

  constructor(opts: RedisPresenceOptions) {
    this.opts = opts;
    this.viewTtlMs = opts.viewTtlMs;
    this.editTtlMs = opts.editTtlMs;
    this.maxSessions = opts.maxSessions;
    this.newLeaseId = opts.newLeaseId ?? randomLeaseId;
  }

  async join(
    galleryId: string,
    clientId: string,
    name?: string | null,
    leaseId?: string | null,
    personId?: string | null,
  ): Promise<Result<JoinResult>> {
    const r = await this.run("join", [
      galleryId,
      clientId,
      name ?? "",
      leaseId ?? "",
      personId ?? "",
      this.newLeaseId(),
    ]);
    if (r[0] !== "ok") return this.refusal(r[0]);
    return {
      ok: true,
      value: { counts: countsOf(r[1]), leaseId: String(r[2]), created: Number(r[3]) === 1 },
    };
  }

  async move(
    from: string,
    to: string,
    clientId: string,
    leaseId: string,
  ): Promise<Result<MoveResult>> {
    const r = await this.run("move", [from, to, clientId, leaseId]);
    if (r[0] !== "ok") return this.refusal(r[0]);
    return {
      ok: true,
      value: {
        from: countsOf(r[1]),
        to: countsOf(r[2]),
        leaseId: String(r[3]),
        moved: Number(r[4]) === 1,
      },
    };
  }

  async leave(galleryId: string, clientId: string, leaseId: string): Promise<Result<LeaveResult>> {
    const r = await this.run("leave", [galleryId, clientId, leaseId]);
    if (r[0] !== "ok") return this.refusal(r[0]);
    return {
      ok: true,
      value: { mode: "lifecycle_v2", removed: Number(r[1]) === 1, counts: countsOf(r[2]) },
    };
  }

  async heartbeat(
    galleryId: string,
    clientId: string,
    name?: string | null,
    personId?: string | null,
  ): Promise<Result<PresenceCounts>> {
    const r = await this.run("heartbeat", [galleryId, clientId, name ?? "", personId ?? ""]);
    if (r[0] !== "ok") return this.refusal(r[0]);
    return { ok: true, value: countsOf(r[1]) };
  }

  async touchEdit(clientId: string, galleryId?: string | null): Promise<EditResult> {
    const r = await this.run("touch", [clientId, galleryId ?? ""]);
    return { counted: Number(r[1]) === 1, counts: r[2] ? countsOf(r[2]) : null };
  }

  async counts(galleryId: string): Promise<PresenceCounts> {
    const r = await this.run("counts", [galleryId]);
    return countsOf(r[1]);
  }

  /** Everyone present, one row per person (the people list), by the tracker's rules (peopleOf). */
  async people(): Promise<PersonHere[]> {
    const r = await this.run("people", []);
    const now = Number(r.at(-2));
    const sessions: SessionView[] = (r.slice(1, -2) as (string | number)[][]).map((x) => ({
      person: String(x[0]),
      name: x[1] === "" ? null : String(x[1]),
      namedAt: Number(x[2]),
      scope: String(x[3]),
      lastSeen: Number(x[4]),
      edit: Number(x[5]) > 0 ? { at: Number(x[5]), scope: String(x[6]) } : null,
    }));
    return peopleOf(sessions, now, this.viewTtlMs, this.editTtlMs);
  }

  /** A person renamed (PATCH /access/me): every tab of theirs, on every process, shows the new name. */
  async renamePerson(personId: string, name: string): Promise<void> {
    await this.run("rename", [personId, name]);
  }

  /** Drops tabs silent for the view TTL and notices edits that aged out (any process may run it). */
  async prune(): Promise<void> {
    const r = await this.run("prune", []);
    this.stats.active_clients = Number(r[1]);
    this.stats.active_scopes = Number(r[2]);
  }

  diagnostics(): TrackerStats {
    return { lifecycle_v2_enabled: true, max_sessions: this.maxSessions, ...this.stats };
  }

  private refusal(error: unknown): { ok: false; error: PresenceError } {
    const e = String(error) as PresenceError;
    if (e === "invalid_lease") this.stats.invalid_lease_total++;
    else if (e === "scope_mismatch") this.stats.scope_mismatch_total++;
    else if (e === "presence_full") this.stats.presence_full_total++;
    return { ok: false, error: e };
  }

  private async run(op: string, args: string[]): Promise<unknown[]> {
    const k = this.opts.keys;
    const r = (await PRESENCE.run(
      this.opts.redis,
      [],
      [
        k.presenceSession,
        k.presenceScope,
        k.presenceAll,
        k.presencePublished,
        k.presenceNames,
        this.viewTtlMs,
        this.editTtlMs,
        this.maxSessions,
        k.seq,
        k.stream,
        k.epoch,
        this.opts.streamMaxLen,
        op,
        ...args,
      ],
    )) as unknown[];
    this.stats.stale_pruned_total += Number(r.at(-1) ?? 0) || 0;
    return r;
  }
}
