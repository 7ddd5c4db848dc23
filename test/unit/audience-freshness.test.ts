import type { Clock } from '../../lib/clock';
import { limits } from '../../lib/limits';
import { freshReads } from '../../lib/realtime/fanout';

/**
 * The freshness rule of a request's audience reads (audienceCache in
 * lib/realtime/fanout.ts, README "Coming online and reconnecting"): a read is
 * reused while at most limits.audienceFreshMs old, measured from when it
 * started, and read again at the first use past that.
 */

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-01-01T10:00:00.000Z')): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

/** A read that answers its key and how many reads came before, and counts them. */
function countingRead() {
  const started: (number | null)[] = [];
  const read = (key: number | null) => {
    started.push(key);
    return Promise.resolve(`${String(key)}:${started.length}`);
  };
  return { read, started };
}

describe('an audience read', () => {
  it('is 1 s fresh', () => {
    expect(limits.audienceFreshMs).toBe(1000);
  });

  it('is reused for a use within the limit of its start, so a quick send reads once for status and pushes', async () => {
    const clock = manualClock();
    const { read, started } = countingRead();
    const audienceFor = freshReads(clock, limits.audienceFreshMs, read);

    const forStatus = await audienceFor(null);
    clock.advance(limits.audienceFreshMs);
    const forPush = await audienceFor(null);

    expect([forStatus, forPush]).toEqual(['null:1', 'null:1']);
    expect(started).toEqual([null]);
  });

  it('is read again at the first use past the limit, and that read is then reused', async () => {
    const clock = manualClock();
    const { read, started } = countingRead();
    const audienceFor = freshReads(clock, limits.audienceFreshMs, read);

    const forStatus = await audienceFor(3);
    clock.advance(limits.audienceFreshMs + 1);
    const forPush = await audienceFor(3);
    clock.advance(limits.audienceFreshMs);
    const forNextPush = await audienceFor(3);

    expect([forStatus, forPush, forNextPush]).toEqual(['3:1', '3:2', '3:2']);
    expect(started).toEqual([3, 3]);
  });

  it('ages from the start of the read, not from its answer: a slow answer is stale sooner', async () => {
    const clock = manualClock();
    let answer: (value: string) => void = () => undefined;
    let reads = 0;
    const audienceFor = freshReads(clock, limits.audienceFreshMs, () => {
      reads++;
      return reads === 1 ? new Promise<string>((resolve) => (answer = resolve)) : Promise.resolve('fresh');
    });

    const slow = audienceFor(null);
    clock.advance(900);
    answer('slow');
    const forStatus = await slow;
    clock.advance(101);
    const forPush = await audienceFor(null);

    expect([forStatus, forPush]).toEqual(['slow', 'fresh']);
    expect(reads).toBe(2);
  });

  it('is shared by uses while it is in flight, and kept apart per assignee', async () => {
    const clock = manualClock();
    const { read, started } = countingRead();
    const audienceFor = freshReads(clock, limits.audienceFreshMs, read);

    const answers = await Promise.all([audienceFor(null), audienceFor(null), audienceFor(7), audienceFor(7)]);

    expect(answers).toEqual(['null:1', 'null:1', '7:2', '7:2']);
    expect(started).toEqual([null, 7]);
  });
});
