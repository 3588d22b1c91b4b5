import { BridgeError } from '../../errors.ts';
import type { StreamDeckControlKind, StreamDeckHandle, StreamDeckInfo } from './binding.ts';

/**
 * The ONE file that imports `@elgato-stream-deck/node` (which itself uses node-hid). Loaded
 * lazily. The library parses the reports (keys, Plus encoders: reference §3.3) and we adapt its
 * events. An `error` listener is attached at once: the library emits `error` on unplug, and an
 * unhandled `error` would crash the daemon. The Elgato desktop app must not own the device at
 * the same time (Companion #2276).
 */
import type * as StreamDeckNs from '@elgato-stream-deck/node';

type Lib = typeof StreamDeckNs;
type Deck = Awaited<ReturnType<Lib['openStreamDeck']>>;

export class NativeStreamDecks {
  #mod: Lib | undefined;
  #failure: string | undefined;
  readonly #open = new Set<StreamDeckHandle>();

  async #load(): Promise<Lib> {
    if (this.#mod) return this.#mod;
    if (this.#failure) throw new BridgeError('E_BUS_UNAVAILABLE', this.#failure, { details: { bus: 'streamdeck' } });
    try {
      this.#mod = await import('@elgato-stream-deck/node');
      return this.#mod;
    } catch (err) {
      this.#failure = `Stream Deck support unavailable: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
      throw new BridgeError('E_BUS_UNAVAILABLE', this.#failure, { details: { bus: 'streamdeck' } });
    }
  }

  async list(): Promise<StreamDeckInfo[]> {
    const lib = await this.#load();
    return (await lib.listStreamDecks()).map((d) => ({ path: d.path, model: String(d.model), ...(d.serialNumber ? { serialNumber: d.serialNumber } : {}) }));
  }

  async open(path: string): Promise<StreamDeckHandle> {
    const lib = await this.#load();
    let deck: Deck;
    try {
      deck = await lib.openStreamDeck(path, { resetToLogoOnClose: true });
    } catch (err) {
      throw new BridgeError('E_DEVICE_UNAVAILABLE', `cannot open Stream Deck ${path}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`, {
        details: { path },
        cause: err,
      });
    }
    const errorListeners = new Set<(reason: string) => void>();
    let errored = false;
    deck.on('error', (err: unknown) => {
      if (errored) return;
      errored = true;
      for (const l of errorListeners) l(err instanceof Error ? err.message : String(err));
    });
    const keys = deck.CONTROLS.filter((c) => c.type === 'button');
    const encoders = deck.CONTROLS.filter((c) => c.type === 'encoder');
    const lcd = deck.CONTROLS.find((c) => c.type === 'lcd-segment');
    const kindOf = (c: { type: string }): StreamDeckControlKind => (c.type === 'encoder' ? 'encoder' : 'button');
    let closed = false;
    const handle: StreamDeckHandle = {
      model: String(deck.MODEL),
      productName: deck.PRODUCT_NAME,
      keyCount: keys.length,
      encoderCount: encoders.length,
      ...(lcd && lcd.type === 'lcd-segment' ? { lcd: { width: lcd.pixelSize.width, height: lcd.pixelSize.height } } : {}),
      onDown: (l) => void deck.on('down', (c) => l(kindOf(c), c.index)),
      onUp: (l) => void deck.on('up', (c) => l(kindOf(c), c.index)),
      onRotate: (l) => void deck.on('rotate', (c, amount) => l(c.index, amount)),
      onError: (l) => void errorListeners.add(l),
      fillKeyColor: (i, r, g, b) => deck.fillKeyColor(i, r, g, b),
      fillLcdRegion: (x, y, width, height, rgb) => deck.fillLcdRegion(0, x, y, rgb, { format: 'rgb', width, height }),
      setBrightness: (p) => deck.setBrightness(p),
      clearPanel: () => deck.clearPanel(),
      close: async () => {
        if (closed) return;
        closed = true;
        this.#open.delete(handle);
        await deck.close();
      },
    };
    this.#open.add(handle);
    return handle;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#open].map((h) => h.close()));
  }
}
