import { describe, expect, it } from 'vitest';
import { failureRate, inOpenWave, waveBucket, waveOf, waveVerdict } from '../../../src/domain/devices/waves';
import type { Mac } from '../../../src/domain/values';
import { id, mac } from '../fixtures';

const macs: Mac[] = Array.from({ length: 2000 }, (_, i) => mac(`0090330${i.toString(16).padStart(5, '0')}`));
const jobId = id('job-1');

describe('staged waves', () => {
  it('a phone has a fixed bucket 0..9999 per job', () => {
    for (const m of macs.slice(0, 50)) {
      const bucket = waveBucket(m, jobId);
      expect(Number.isInteger(bucket) && bucket >= 0 && bucket < 10_000, String(bucket)).toBe(true);
      expect(waveBucket(m, jobId)).toBe(bucket);
    }
  });

  it('buckets spread phones evenly and differ between jobs', () => {
    const inFirstTenth = macs.filter((m) => waveBucket(m, jobId) < 1000).length;
    expect(inFirstTenth).toBeGreaterThan(140);
    expect(inFirstTenth).toBeLessThan(260);
    const other = id('job-2');
    expect(macs.filter((m) => waveBucket(m, jobId) !== waveBucket(m, other)).length).toBeGreaterThan(1900);
  });

  it('a phone is in the open wave only while the job runs', () => {
    const job = { jobId, waves: [10, 50, 100], openWave: 0, status: 'running' };
    const first = macs.filter((m) => inOpenWave(job, m));
    expect(first.length).toBeGreaterThan(140);
    expect(first.length).toBeLessThan(260);
    const second = macs.filter((m) => inOpenWave({ ...job, openWave: 1 }, m));
    expect(first.every((m) => second.includes(m))).toBe(true);
    expect(macs.every((m) => inOpenWave({ ...job, openWave: 2 }, m))).toBe(true);
    expect(macs.some((m) => inOpenWave({ ...job, openWave: 2, status: 'halted' }, m))).toBe(false);
    expect(macs.some((m) => inOpenWave({ ...job, openWave: 2, status: 'cancelled' }, m))).toBe(false);
  });

  it('waveOf names the wave that added a phone', () => {
    const waves = [10, 50, 100];
    for (const m of macs.slice(0, 200)) {
      const wave = waveOf(waves, m, jobId);
      expect(inOpenWave({ jobId, waves, openWave: wave, status: 'running' }, m)).toBe(true);
      if (wave > 0) expect(inOpenWave({ jobId, waves, openWave: wave - 1, status: 'running' }, m)).toBe(false);
    }
  });

  it('a wave advances while its failure rate is under the threshold, halts at or above it, waits while incomplete', () => {
    expect(waveVerdict({ targets: 10, applied: 10, failed: 0 }, 0.1)).toBe('advance');
    expect(waveVerdict({ targets: 10, applied: 9, failed: 1 }, 0.2)).toBe('advance');
    expect(waveVerdict({ targets: 10, applied: 9, failed: 1 }, 0.1)).toBe('halt');
    expect(waveVerdict({ targets: 10, applied: 5, failed: 5 }, 0.1)).toBe('halt');
    expect(waveVerdict({ targets: 10, applied: 8, failed: 1 }, 0.1)).toBe('wait');
    expect(waveVerdict({ targets: 0, applied: 0, failed: 0 }, 0.1)).toBe('advance');
    expect(failureRate({ targets: 4, applied: 3, failed: 1 })).toBe(0.25);
  });
});
