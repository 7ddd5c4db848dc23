import { mergeById, takeArrivals } from '../../web/src/history';

/** README "Coming online and reconnecting": each id once, in id order; the gap rule. */
interface M {
  id: number;
  text?: string;
  sender_name?: string;
}

describe('console history', () => {
  it('keeps each id once, in id order, whatever order pages and pushes come in', () => {
    const held: M[] = [{ id: 7000001 }, { id: 7000003 }];
    const merged = mergeById(held, [{ id: 7000004 }, { id: 7000002 }, { id: 7000003 }]);
    expect(merged.map((message) => message.id)).toEqual([7000001, 7000002, 7000003, 7000004]);
  });

  it('lets a newer copy replace a held one, keeping the name only lists carry', () => {
    const held: M[] = [{ id: 1, text: 'hi', sender_name: 'Acme' }];
    expect(mergeById(held, [{ id: 1, text: '' }])).toEqual([{ id: 1, text: '', sender_name: 'Acme' }]);
  });

  it('returns the held list itself when nothing arrives', () => {
    const held: M[] = [{ id: 1 }];
    expect(mergeById(held, [])).toBe(held);
  });

  it('advances the last id over consecutive arrivals', () => {
    expect(takeArrivals(7000002, [7000004, 7000003])).toEqual({ lastId: 7000004, gap: false });
  });

  it('asks for a fetch when an arrival is more than one past the last id held', () => {
    expect(takeArrivals(7000002, [7000004])).toEqual({ lastId: 7000002, gap: true });
  });

  it('does not advance past a gap even when later ids are consecutive to each other', () => {
    expect(takeArrivals(10, [12, 13, 11])).toEqual({ lastId: 13, gap: false });
    expect(takeArrivals(10, [12, 13])).toEqual({ lastId: 10, gap: true });
  });

  it('ignores ids already held (a push that crossed a fetch)', () => {
    expect(takeArrivals(5, [3, 5])).toEqual({ lastId: 5, gap: false });
  });
});
