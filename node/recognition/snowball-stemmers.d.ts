// Ambient declaration for snowball-stemmers (untyped CommonJS): only what node/recognition/similarity.ts uses.
declare module 'snowball-stemmers' {
  interface Stemmer {
    stem(word: string): string;
  }
  const snowball: { newStemmer(language: string): Stemmer; algorithms(): string[] };
  export default snowball;
}
