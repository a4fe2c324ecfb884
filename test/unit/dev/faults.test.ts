import { faultOfMix, parseFaultPlan } from '../../../dev/firehose/faults';

describe("the local Firehose's fault plans", () => {
  it('draws each fault of a mix by its share, the rest healthy', () => {
    const mix = { throttle: 0.05, internal: 0.01, partial: 0.01, slow: 0.005 };
    const draws = 100_000;
    const counts: Record<string, number> = {};
    for (let i = 0; i < draws; i++) {
      const fault = faultOfMix(mix, (i + 0.5) / draws);
      counts[fault] = (counts[fault] ?? 0) + 1;
    }
    expect(counts).toEqual({ throttle: 5000, internal: 1000, partial: 1000, slow: 500, none: 92_500 });
  });

  it('reads a mix, and refuses one that is not a set of shares adding up to at most 1', () => {
    expect(parseFaultPlan({ mode: 'mix', mix: { throttle: 0.05, slow: 0.005 }, delayMs: 3000 })).toMatchObject({
      mode: 'mix',
      mix: { throttle: 0.05, slow: 0.005 },
      delayMs: 3000,
    });
    expect(() => parseFaultPlan({ mode: 'mix' })).toThrow(/needs mix/);
    expect(() => parseFaultPlan({ mode: 'mix', mix: { flood: 0.1 } })).toThrow(/unknown fault flood/);
    expect(() => parseFaultPlan({ mode: 'mix', mix: { throttle: 2 } })).toThrow(/share from 0 to 1/);
    expect(() => parseFaultPlan({ mode: 'mix', mix: { throttle: 0.6, internal: 0.6 } })).toThrow(/more than 1/);
  });

  it('reads the exact records a partial failure fails, and refuses anything but positions', () => {
    expect(parseFaultPlan({ mode: 'partial', count: 1, failRecords: [1] })).toMatchObject({ mode: 'partial', count: 1, failRecords: [1] });
    expect(() => parseFaultPlan({ mode: 'partial', failRecords: [-1] })).toThrow(/record positions/);
    expect(() => parseFaultPlan({ mode: 'partial', failRecords: '1' })).toThrow(/record positions/);
  });
});
