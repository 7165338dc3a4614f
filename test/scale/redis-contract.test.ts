/**
 * R2: the label store's contract (test/labels/contract.ts: every label and
 * idempotency rule through HTTP) on the Redis store, against a real
 * redis-server of this test's own.
 */
import { afterAll, beforeAll, describe } from "bun:test";
import { startRedis, type TestRedis } from "../helpers/redis-server.ts";
import { labelContract } from "../labels/contract.ts";
import { redisHarness } from "./redis-harness.ts";

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

describe("R2: the label contract on the Redis store", () => {
  labelContract(redisHarness(() => redis));
});
