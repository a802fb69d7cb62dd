import { CronTime } from 'cron';

/** How early or late a tick may fire and still belong to a scheduled time. */
const TOLERANCE_MS = 500;

/**
 * The scheduled time a cron tick belongs to. Every instance computes it from the same expression, so the same tick
 * gets the same slot everywhere, however late its timer fired (a busy event loop) and whatever ticks it missed.
 */
export class SlotClock {
  private readonly time: CronTime;
  private expected: Date;

  constructor(cron: string, now = new Date()) {
    this.time = new CronTime(cron);
    this.expected = this.next(new Date(now.getTime() - TOLERANCE_MS));
  }

  /** The latest scheduled time at or before `now` (+ tolerance), never earlier than the one expected next. */
  slotOf(now: Date): Date {
    let slot = this.expected;
    for (let next = this.next(slot); next.getTime() <= now.getTime() + TOLERANCE_MS; next = this.next(slot))
      slot = next;
    this.expected = this.next(slot);
    return slot;
  }

  private next(from: Date): Date {
    return this.time.getNextDateFrom(from).toJSDate();
  }
}
