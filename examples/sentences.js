// A few labelled sentences for the runtime examples (1 = positive), written for them.
export const SENTENCES = [
  ['a delightful, moving film', 1], ['brilliant acting and a clever story', 1], ['I loved every minute', 1],
  ['funny, warm and beautifully shot', 1], ['a wonderful surprise', 1], ['great music and a great cast', 1],
  ['touching and smart', 1], ['an absolute joy', 1], ['the best film this year', 1], ['charming and fun', 1],
  ['a dull waste of time', 0], ['boring and far too long', 0], ['terrible script, awful acting', 0],
  ['I fell asleep', 0], ['a predictable, lifeless mess', 0], ['the worst film this year', 0],
  ['painful dialogue and no story', 0], ['dreadful from start to end', 0], ['a tedious disappointment', 0], ['ugly and stupid', 0],
].map(([text, label]) => ({ text, label }));
