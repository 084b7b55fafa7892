/**
 * The end-to-end suite against the native stack (`make e2e-native`): the MediaMTX API emulator
 * with its demo streams, a real ffmpeg SRT test pattern for the thumbnails, redis-server, the five
 * Node services from their dist/ and nginx with the image's configuration template, all on free
 * loopback ports. Every service must stop cleanly on SIGTERM at the end.
 */
import { startNativeStack, type NativeStack } from './native/stack';
import { stackSuite } from './suite';

describe('the native stack', () => {
  let stack: NativeStack;

  beforeAll(async () => {
    stack = await startNativeStack();
  }, 60_000);

  afterAll(async () => {
    if (stack === undefined) return; // it did not start: beforeAll's error says why
    const exits = await stack.stop();
    // SIGTERM: every service closes its connections and exits 0 within its grace period.
    expect(exits).toEqual({ collector: 0, sysmon: 0, snapshotter: 0, alerter: 0, api: 0 });
  }, 30_000);

  // The emulator's SRT contribution feed (demo scenario): SRT RTT and link capacity and two readers
  // come from the emulated Control API, the thumbnail from the real ffmpeg test pattern.
  stackSuite(() => ({ base: stack.base, stream: 'live/contribution' }));
});
