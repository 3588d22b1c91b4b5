export { openAudioFile, parseAudioHeader } from './open-audio-file.ts';
export { createWavWriter, type WavWriter, type WavWriterOptions, type WavWriteFormat } from './wav-writer.ts';
export type { AudioContainer, AudioFileReader, AudioSampleFormat, AudioStreamInfo } from './audio-file-types.ts';
