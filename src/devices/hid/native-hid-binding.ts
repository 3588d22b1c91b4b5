import type { EvdevDeviceInfo, EvdevHandle, HidBinding, HidDeviceHandle, HidDeviceInfo, StreamDeckHandle, StreamDeckInfo } from './binding.ts';
import { NativeEvdev } from './native-evdev.ts';
import { NativeRawHid } from './native-hid.ts';
import { NativeStreamDecks } from './native-stream-deck.ts';

/**
 * The real HID bus: node-hid (native-hid.ts), evdev (native-evdev.ts, plain fs) and the Stream
 * Deck library (native-stream-deck.ts). Each native package is imported in exactly one of those
 * files, lazily; this file only composes them.
 */
export function createNativeHidBinding(): HidBinding & { hidEmptyReason(): string | undefined } {
  const raw = new NativeRawHid();
  const evdev = new NativeEvdev();
  const decks = new NativeStreamDecks();
  return {
    kind: 'native',
    listHid: (): Promise<HidDeviceInfo[]> => raw.list(),
    openHid: (path): Promise<HidDeviceHandle> => raw.open(path),
    listEvdev: (): Promise<EvdevDeviceInfo[]> => evdev.list(),
    openEvdev: (path): Promise<EvdevHandle> => evdev.open(path),
    listStreamDecks: (): Promise<StreamDeckInfo[]> => decks.list(),
    openStreamDeck: (path): Promise<StreamDeckHandle> => decks.open(path),
    hidEmptyReason: () => raw.emptyReason(),
    close: async () => {
      await Promise.allSettled([raw.close(), evdev.close(), decks.close()]);
    },
  };
}
