/**
 * The event log in Redis, as Lua: one Stream per gallery whose entries carry an
 * integer id from an INCR taken in the same script as the XADD, so ids follow
 * stream order, with no gaps, whichever process appends. Each entry also
 * carries the epoch (`p`): a history that Redis lost (flushed, restored, a new
 * server) has a new one, and readers tell their pages to re-fetch.
 *
 * Fields: i = id, p = epoch, t = type ("rec" = a record only, no event), d = JSON.
 */
import { Script } from "./client.ts";

/**
 * `append(type, data)` for a script whose KEYS hold the seq and the stream and
 * which has read the epoch into `epoch`; MAXLEN ≈ `maxlen` (approximate
 * trimming: the stream keeps at least that many).
 */
export const APPEND_LUA = `
local function append(seqKey, streamKey, epoch, maxlen, kind, data)
  local id = redis.call('INCR', seqKey)
  redis.call('XADD', streamKey, 'MAXLEN', '~', maxlen, '*', 'i', id, 'p', epoch, 't', kind, 'd', data)
  return id
end
`;

/** KEYS: seq, stream, epoch. ARGV: maxlen, type, data. → id, or {"noepoch"}. */
export const publishScript = new Script(`${APPEND_LUA}
local epoch = redis.call('GET', KEYS[3])
if not epoch then return {'noepoch'} end
return append(KEYS[1], KEYS[2], epoch, ARGV[1], ARGV[2], ARGV[3])
`);

/**
 * KEYS: epoch, seq. ARGV: a fresh epoch, the lowest id the new history may use next.
 * Returns {epoch, created (0|1)}: the existing epoch, or the fresh one (and the id
 * sequence raised to the floor, so ids stay above what this process has seen).
 */
export const ensureEpochScript = new Script(`
local cur = redis.call('GET', KEYS[1])
if cur then return {cur, 0} end
redis.call('SET', KEYS[1], ARGV[1])
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
local floor = tonumber(ARGV[2]) - 1
if seq < floor then redis.call('SET', KEYS[2], floor) end
return {ARGV[1], 1}
`);
