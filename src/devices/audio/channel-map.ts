/**
 * Which interface channels carry what, from the config's 1-based lists, as 0-based indices
 * into the backend's deinterleaved buffers. Computed once; the audio path only indexes.
 */
export interface ChannelMapConfig {
  readonly monitor: readonly number[];
  readonly insertSend: readonly number[];
  readonly insertReturn: readonly number[];
  readonly sourceIn: readonly number[];
}

export class ChannelMap {
  /** 0-based output channel indices. */
  readonly monitor: Int32Array;
  readonly insertSend: Int32Array;
  /** 0-based input channel indices. */
  readonly insertReturn: Int32Array;
  readonly sourceIn: Int32Array;
  /** Interface channels to open (the highest channel referenced, in and out). */
  readonly inputChannels: number;
  readonly outputChannels: number;
  /** Program channels (the chain's width): the monitor's channel count. */
  readonly programChannels: number;

  constructor(config: ChannelMapConfig, options: { useSourceIn?: boolean } = {}) {
    const check = (name: string, list: readonly number[]): void => {
      if (list.length === 0) throw new TypeError(`channel map: ${name} is empty`);
      for (const c of list) {
        if (!Number.isInteger(c) || c < 1 || c > 64) throw new TypeError(`channel map: ${name} has channel ${c} (1-based, 1..64)`);
      }
      if (new Set(list).size !== list.length) throw new TypeError(`channel map: ${name} lists a channel twice`);
    };
    check('monitor', config.monitor);
    check('insertSend', config.insertSend);
    check('insertReturn', config.insertReturn);
    check('sourceIn', config.sourceIn);
    const overlap = config.monitor.filter((c) => config.insertSend.includes(c));
    if (overlap.length > 0) {
      throw new TypeError(`channel map: output ${overlap.join(', ')} is both monitor and insertSend (the measurement signal would reach the monitors)`);
    }
    if (config.insertSend.length !== config.insertReturn.length) {
      throw new TypeError(`channel map: ${config.insertSend.length} insertSend channels but ${config.insertReturn.length} insertReturn channels`);
    }
    const useSourceIn = options.useSourceIn ?? false;
    if (useSourceIn) {
      const both = config.sourceIn.filter((c) => config.insertReturn.includes(c));
      if (both.length > 0) throw new TypeError(`channel map: input ${both.join(', ')} is both sourceIn and insertReturn`);
    }
    const zero = (l: readonly number[]): Int32Array => Int32Array.from(l, (c) => c - 1);
    this.monitor = zero(config.monitor);
    this.insertSend = zero(config.insertSend);
    this.insertReturn = zero(config.insertReturn);
    this.sourceIn = zero(config.sourceIn);
    this.outputChannels = Math.max(...config.monitor, ...config.insertSend);
    this.inputChannels = Math.max(...config.insertReturn, ...(useSourceIn ? config.sourceIn : []));
    this.programChannels = config.monitor.length;
    if (config.insertSend.length !== this.programChannels) {
      throw new TypeError(`channel map: the insert has ${config.insertSend.length} channels but the program (monitor) has ${this.programChannels}`);
    }
    if (useSourceIn && config.sourceIn.length !== this.programChannels) {
      throw new TypeError(`channel map: ${config.sourceIn.length} sourceIn channels but the program has ${this.programChannels}`);
    }
  }
}
