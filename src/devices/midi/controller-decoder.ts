import type { MidiMessage } from './midi-message.ts';

/** A controller-level event: what a CC stream means once 14-bit pairs and (N)RPN are resolved. */
export type ControllerEvent =
  | { readonly kind: 'cc'; readonly channel: number; readonly controller: number; readonly value: number }
  /** 14-bit CC pair; `controller` is the MSB number (0-31). */
  | { readonly kind: 'cc14'; readonly channel: number; readonly controller: number; readonly value: number; readonly part: 'msb' | 'lsb' }
  /** (N)RPN data entry, 14-bit value (MSB << 7 | LSB). */
  | { readonly kind: 'nrpn' | 'rpn'; readonly channel: number; readonly parameter: number; readonly value: number; readonly part: 'msb' | 'lsb' }
  /** (N)RPN data increment (CC 96) / decrement (CC 97). */
  | { readonly kind: 'nrpnStep' | 'rpnStep'; readonly channel: number; readonly parameter: number; readonly delta: 1 | -1 };

// MIDI 1.0 controller numbers (MIDI 1.0 Detailed Specification, table III; reference §2.2).
const DATA_ENTRY_MSB = 6;
const DATA_ENTRY_LSB = 38;
const DATA_INCREMENT = 96;
const DATA_DECREMENT = 97;
const NRPN_LSB = 98;
const NRPN_MSB = 99;
const RPN_LSB = 100;
const RPN_MSB = 101;
const NULL_7 = 0x7f;

interface ChannelState {
  kind: 'nrpn' | 'rpn' | undefined;
  paramMsb: number; // -1 = not received
  paramLsb: number;
  dataMsb: number; // -1 = no data entry yet for this parameter
  pairMsb: Int16Array; // 14-bit CC pairs: last MSB per controller 0-31, -1 = none yet
}

/**
 * Turns raw CC messages into controller events, one state per port:
 * - 14-bit CC pairs for the MSB controllers declared with `setPairs` (MSB on n, LSB on n+32).
 *   An MSB resets the LSB to 0 (MIDI 1.0: "when an MSB is received, the receiver should set its
 *   concept of the LSB to zero"; reference §2.2 marks this UNSURE, it is also the choice that
 *   never overshoots when a fader crosses an MSB boundary upwards). LSB-only updates are
 *   accepted and combine with the last MSB; an LSB before any MSB is ignored (no phantom value).
 * - NRPN (CC 99 MSB / 98 LSB) and RPN (CC 101 MSB / 100 LSB) selection, data entry (CC 6 / 38)
 *   and increment/decrement (CC 96 / 97). These are the MIDI spec numbers, NOT Ardour's
 *   swapped labels (reference §2.2). RPN 7F 7F is the null parameter: data entry after it is
 *   a plain CC again. The value byte of 96/97 is ignored (MIDI 1.0), each message is one step.
 * - everything else passes through as a plain 7-bit `cc`.
 */
export class ControllerDecoder {
  readonly #channels: ChannelState[] = [];
  #pairs = new Set<number>(); // channel << 5 | controller

  /** Declare which (channel, MSB controller 0-31) pairs are 14-bit. Replaces the previous set. */
  setPairs(pairs: Iterable<{ channel: number; controller: number }>): void {
    const next = new Set<number>();
    for (const p of pairs) if (p.controller >= 0 && p.controller < 32) next.add((p.channel << 5) | p.controller);
    this.#pairs = next;
  }

  reset(): void {
    this.#channels.length = 0;
  }

  feed(message: MidiMessage, emit: (event: ControllerEvent) => void): void {
    if (message.type !== 'cc') return;
    const { channel, controller, value } = message;
    const st = this.#state(channel);
    switch (controller) {
      case NRPN_MSB:
      case NRPN_LSB:
      case RPN_MSB:
      case RPN_LSB: {
        const kind = controller === NRPN_MSB || controller === NRPN_LSB ? 'nrpn' : 'rpn';
        if (st.kind !== kind) {
          st.kind = kind;
          st.paramMsb = -1;
          st.paramLsb = -1;
        }
        if (controller === NRPN_MSB || controller === RPN_MSB) st.paramMsb = value;
        else st.paramLsb = value;
        st.dataMsb = -1;
        if (kind === 'rpn' && st.paramMsb === NULL_7 && st.paramLsb === NULL_7) st.kind = undefined;
        return;
      }
      case DATA_ENTRY_MSB:
      case DATA_ENTRY_LSB:
      case DATA_INCREMENT:
      case DATA_DECREMENT: {
        const parameter = this.#selected(st);
        if (parameter === undefined || st.kind === undefined) break; // no selection: plain CC
        const kind = st.kind;
        if (controller === DATA_ENTRY_MSB) {
          st.dataMsb = value;
          emit({ kind, channel, parameter, value: value << 7, part: 'msb' });
        } else if (controller === DATA_ENTRY_LSB) {
          // An LSB without any MSB for this parameter has nothing to combine with.
          if (st.dataMsb < 0) return;
          emit({ kind, channel, parameter, value: (st.dataMsb << 7) | value, part: 'lsb' });
        } else {
          emit({ kind: kind === 'nrpn' ? 'nrpnStep' : 'rpnStep', channel, parameter, delta: controller === DATA_INCREMENT ? 1 : -1 });
        }
        return;
      }
    }
    if (controller < 32 && this.#pairs.has((channel << 5) | controller)) {
      st.pairMsb[controller] = value;
      emit({ kind: 'cc14', channel, controller, value: value << 7, part: 'msb' });
      return;
    }
    if (controller >= 32 && controller < 64 && this.#pairs.has((channel << 5) | (controller - 32))) {
      const msb = st.pairMsb[controller - 32] as number;
      if (msb < 0) return;
      emit({ kind: 'cc14', channel, controller: controller - 32, value: (msb << 7) | value, part: 'lsb' });
      return;
    }
    emit({ kind: 'cc', channel, controller, value });
  }

  #selected(st: ChannelState): number | undefined {
    if (st.kind === undefined || st.paramMsb < 0) return undefined;
    // A sender may select with the MSB only (LSB defaults to 0).
    return (st.paramMsb << 7) | Math.max(0, st.paramLsb);
  }

  #state(channel: number): ChannelState {
    let st = this.#channels[channel];
    if (!st) {
      st = { kind: undefined, paramMsb: -1, paramLsb: -1, dataMsb: -1, pairMsb: new Int16Array(32).fill(-1) };
      this.#channels[channel] = st;
    }
    return st;
  }
}
