import { describe, expect, it } from 'vitest';
import { audioSectionSchema } from '../../../src/config/sections/audio.ts';
import { ChannelMap } from '../../../src/devices/audio/channel-map.ts';
import { matchDevice } from '../../../src/devices/audio/device-match.ts';

const devices = [
  { name: 'HDA Intel PCH: ALC892 Analog (hw:0,0)', maxInputChannels: 2, maxOutputChannels: 2, defaultSampleRate: 48000, hostApi: 'ALSA' },
  { name: 'Fireface UFX II (hw:2,0)', maxInputChannels: 30, maxOutputChannels: 30, defaultSampleRate: 48000, hostApi: 'ALSA' },
  { name: 'loop8', maxInputChannels: 8, maxOutputChannels: 8, defaultSampleRate: 48000, hostApi: 'ALSA' },
  { name: 'loop8-spare', maxInputChannels: 8, maxOutputChannels: 8, defaultSampleRate: 48000, hostApi: 'ALSA' },
];

describe('ChannelMap', () => {
  it('turns the 1-based config into 0-based indices and the channel counts to open', () => {
    const m = new ChannelMap({ monitor: [1, 2], insertSend: [3, 4], insertReturn: [5, 6], sourceIn: [1, 2] });
    expect([...m.monitor]).toEqual([0, 1]);
    expect([...m.insertSend]).toEqual([2, 3]);
    expect([...m.insertReturn]).toEqual([4, 5]);
    expect(m.outputChannels).toBe(4);
    expect(m.inputChannels).toBe(6);
    expect(m.programChannels).toBe(2);
  });

  it('refuses a monitor output that is also an insert send (the sweep would reach the speakers)', () => {
    expect(() => new ChannelMap({ monitor: [1, 2], insertSend: [2, 3], insertReturn: [3, 4], sourceIn: [1, 2] })).toThrow(/monitor and insertSend/);
    const parsed = audioSectionSchema.safeParse({ channels: { monitor: [1, 2], insertSend: [2, 3] } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['channels', 'insertSend']);
  });

  it('refuses a source input that is also the insert return when the source is the inputs', () => {
    expect(() => new ChannelMap({ monitor: [1, 2], insertSend: [3, 4], insertReturn: [1, 2], sourceIn: [1, 2] }, { useSourceIn: true })).toThrow(/sourceIn and insertReturn/);
    expect(audioSectionSchema.safeParse({ channels: { insertReturn: [1, 2] }, source: { type: 'input' } }).success).toBe(false);
  });
});

describe('matchDevice (by name, never by index)', () => {
  const need = { inputs: 4, outputs: 4 };
  it('matches a substring or a /regex/, case-insensitively, and prefers an exact name', () => {
    expect(matchDevice(devices, 'fireface', need).device?.name).toBe('Fireface UFX II (hw:2,0)');
    expect(matchDevice(devices, '/RME|Fireface/', need).device?.name).toBe('Fireface UFX II (hw:2,0)');
    expect(matchDevice(devices, 'loop8', need).device?.name).toBe('loop8');
    expect(matchDevice([...devices].reverse(), 'loop8', need).device?.name).toBe('loop8');
  });

  it('says why nothing fits', () => {
    const none = matchDevice(devices, 'Babyface', need);
    expect(none.device).toBeUndefined();
    expect(none.why).toMatch(/no audio device matches "Babyface"/);
    const small = matchDevice(devices, 'ALC892', need);
    expect(small.device).toBeUndefined();
    expect(small.why).toMatch(/2 in \/ 2 out/);
  });
});
