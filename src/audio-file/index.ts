export { openAudioFile, parseAudioHeader } from './open-audio-file.ts';
export { createWavWriter, type WavWriter, type WavWriterOptions, type WavWriteFormat } from './wav-writer.ts';
export { READ_AHEAD_BYTES } from './streaming-audio-file-reader.ts';
export type { AudioContainer, AudioFileReader, AudioFileReaderOptions, AudioSampleFormat, AudioStreamInfo } from './audio-file-types.ts';
