/**
 * Loudness channel weights G_i (ITU-R BS.1770-4 Annex 1 Table 3; EBU Tech 3341 §2.1 and its test case 6):
 * front channels 1.0, surround channels 1.41 (+1.5 dB), LFE excluded (0).
 *
 * Channel order without a mask follows the WAVE/SMPTE convention: L R C LFE Ls Rs (5.1), L R C Ls Rs
 * (5.0), L R Ls Rs (quad). With a WAVE_FORMAT_EXTENSIBLE channel mask the speaker bits decide.
 */

/** dwChannelMask bits (Microsoft WAVE_FORMAT_EXTENSIBLE). */
export const SPEAKER = Object.freeze({
  FRONT_LEFT: 0x1,
  FRONT_RIGHT: 0x2,
  FRONT_CENTER: 0x4,
  LOW_FREQUENCY: 0x8,
  BACK_LEFT: 0x10,
  BACK_RIGHT: 0x20,
  FRONT_LEFT_OF_CENTER: 0x40,
  FRONT_RIGHT_OF_CENTER: 0x80,
  BACK_CENTER: 0x100,
  SIDE_LEFT: 0x200,
  SIDE_RIGHT: 0x400,
});

/** BS.1770-4 Table 3: the surround channels (azimuth 60..120 degrees) are weighted +1.5 dB. */
export const SURROUND_WEIGHT = 1.41;

/** Weights for `channels` channels, from the channel mask when there is one, else from the count. */
export function channelWeights(channels: number, channelMask = 0): Float64Array {
  if (!Number.isInteger(channels) || channels < 1) throw new RangeError(`channel weights: ${channels} channels`);
  const w = new Float64Array(channels).fill(1);
  if (channelMask !== 0) {
    const hasSides = (channelMask & (SPEAKER.SIDE_LEFT | SPEAKER.SIDE_RIGHT)) !== 0;
    let ch = 0;
    for (let bit = 0; bit < 32 && ch < channels; bit++) {
      const speaker = 2 ** bit;
      if ((channelMask & speaker) === 0) continue;
      if (speaker === SPEAKER.LOW_FREQUENCY) w[ch] = 0;
      else if (speaker === SPEAKER.SIDE_LEFT || speaker === SPEAKER.SIDE_RIGHT) w[ch] = SURROUND_WEIGHT;
      // In a 5.1 "back" layout (mask 0x3F) the back pair are the +-110 degree surrounds of BS.775;
      // in 7.1 (sides present) the back pair sits behind 120 degrees and keeps weight 1.0.
      else if ((speaker === SPEAKER.BACK_LEFT || speaker === SPEAKER.BACK_RIGHT) && !hasSides) w[ch] = SURROUND_WEIGHT;
      ch++;
    }
    return w;
  }
  switch (channels) {
    case 4: // L R Ls Rs
      w[2] = SURROUND_WEIGHT;
      w[3] = SURROUND_WEIGHT;
      break;
    case 5: // L R C Ls Rs (EBU Tech 3341 case 6)
      w[3] = SURROUND_WEIGHT;
      w[4] = SURROUND_WEIGHT;
      break;
    case 6: // L R C LFE Ls Rs
      w[3] = 0;
      w[4] = SURROUND_WEIGHT;
      w[5] = SURROUND_WEIGHT;
      break;
    case 8: // L R C LFE Lrs Rrs Lss Rss (7.1, SMPTE order)
      w[3] = 0;
      w[6] = SURROUND_WEIGHT;
      w[7] = SURROUND_WEIGHT;
      break;
    default:
      break;
  }
  return w;
}
