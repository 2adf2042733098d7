// A small hand-written challenge set for sentiment models: negation, contrast ("but", "yet",
// "despite"), praise that follows criticism and the reverse. Averages on IMDB hide these cases; the
// shipped model is chosen and reported on them too. Label 1 = positive.

export const CHALLENGE_SENTENCES: readonly { text: string; label: 0 | 1; kind: 'negation' | 'contrast' | 'plain' }[] = [
  { text: 'This movie was not good.', label: 0, kind: 'negation' },
  { text: 'This movie was not bad at all.', label: 1, kind: 'negation' },
  { text: 'I did not like this film.', label: 0, kind: 'negation' },
  { text: "I can't say I disliked it; it was actually fun.", label: 1, kind: 'negation' },
  { text: 'Not a single good scene in the whole movie.', label: 0, kind: 'negation' },
  { text: "It's never boring, and the cast is excellent.", label: 1, kind: 'negation' },
  { text: 'Nothing about this film works.', label: 0, kind: 'negation' },
  { text: "I wouldn't recommend it to anyone.", label: 0, kind: 'negation' },
  { text: "You won't regret watching this one.", label: 1, kind: 'negation' },
  { text: 'Not the best film of the year, but still very enjoyable.', label: 1, kind: 'negation' },
  { text: 'Not even the great soundtrack could make this watchable.', label: 0, kind: 'negation' },
  { text: "Hardly a masterpiece, and it isn't trying to be, but it's charming.", label: 1, kind: 'negation' },
  { text: 'The acting was great, but the story was dull and the ending ruined everything.', label: 0, kind: 'contrast' },
  { text: "The first hour is slow, but the final act is brilliant and it's worth the wait.", label: 1, kind: 'contrast' },
  { text: "Great cast, beautiful sets, and yet it's a boring, pointless mess.", label: 0, kind: 'contrast' },
  { text: 'It has some flaws, but overall I loved it.', label: 1, kind: 'contrast' },
  { text: 'I expected to hate it, but it turned out to be wonderful.', label: 1, kind: 'contrast' },
  { text: 'I expected to love it, but it was a huge disappointment.', label: 0, kind: 'contrast' },
  { text: 'Despite a weak start, this is a moving and funny film.', label: 1, kind: 'contrast' },
  { text: 'Despite the hype, the film is tedious and forgettable.', label: 0, kind: 'contrast' },
  { text: 'The trailer looked awful, yet the movie is a delight.', label: 1, kind: 'contrast' },
  { text: 'Beautiful photography cannot save a terrible script.', label: 0, kind: 'contrast' },
  { text: 'A masterpiece. I loved every minute.', label: 1, kind: 'plain' },
  { text: 'Worst film I have ever seen.', label: 0, kind: 'plain' },
  { text: 'Funny, smart and touching.', label: 1, kind: 'plain' },
  { text: 'Boring, predictable and far too long.', label: 0, kind: 'plain' },
  { text: 'I almost fell asleep twice.', label: 0, kind: 'plain' },
  { text: 'I laughed, I cried, I want to see it again.', label: 1, kind: 'plain' },
  { text: 'The plot makes no sense and the dialogue is painful.', label: 0, kind: 'plain' },
  { text: 'An absolute joy from start to finish.', label: 1, kind: 'plain' },
  { text: 'What a waste of a talented cast.', label: 0, kind: 'plain' },
  { text: 'I was pleasantly surprised by how good it was.', label: 1, kind: 'plain' },
];

/** Accuracy of a binary classifier's predictions (P(positive) per text) on the challenge set, overall and by kind. */
export function challengeAccuracy(positive: (texts: string[]) => number[]): { all: number; negation: number; contrast: number; plain: number } {
  const p = positive(CHALLENGE_SENTENCES.map((s) => s.text));
  const score = (kind?: string) => {
    const rows = CHALLENGE_SENTENCES.map((s, i) => ({ s, ok: (p[i]! >= 0.5 ? 1 : 0) === s.label })).filter((r) => !kind || r.s.kind === kind);
    return rows.filter((r) => r.ok).length / rows.length;
  };
  return { all: score(), negation: score('negation'), contrast: score('contrast'), plain: score('plain') };
}
