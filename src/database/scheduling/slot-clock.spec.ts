import { SlotClock } from './slot-clock';

const at = (iso: string) => new Date(iso);

describe(SlotClock.name, () => {
  it('gives the scheduled time of a tick however late it fires', () => {
    const clock = new SlotClock('0 * * * *', at('2026-11-25T09:59:00Z'));
    expect(clock.slotOf(at('2026-11-25T10:00:00.003Z'))).toEqual(at('2026-11-25T10:00:00Z'));
    expect(clock.slotOf(at('2026-11-25T11:00:40Z'))).toEqual(at('2026-11-25T11:00:00Z'));
  });

  it('gives the same slot to instances whose timers fire a little early or late', () => {
    const one = new SlotClock('*/10 * * * * *', at('2026-11-25T10:00:01Z'));
    const two = new SlotClock('*/10 * * * * *', at('2026-11-25T10:00:03Z'));
    expect(one.slotOf(at('2026-11-25T10:00:09.700Z'))).toEqual(at('2026-11-25T10:00:10Z'));
    expect(two.slotOf(at('2026-11-25T10:00:10.400Z'))).toEqual(at('2026-11-25T10:00:10Z'));
  });

  it('skips to the latest scheduled time after missed ticks, and never goes back', () => {
    const clock = new SlotClock('* * * * * *', at('2026-11-25T10:00:00.600Z'));
    expect(clock.slotOf(at('2026-11-25T10:00:05.100Z'))).toEqual(at('2026-11-25T10:00:05Z'));
    // A second tick within the same second belongs to the next slot, not the same one again.
    expect(clock.slotOf(at('2026-11-25T10:00:05.200Z'))).toEqual(at('2026-11-25T10:00:06Z'));
  });
});
