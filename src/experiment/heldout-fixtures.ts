// Two held-out questions in the world's forms, shared by the held-out report tests: a timeline sum whose
// right year (57) sits below the total+1 distractor (58), and a kinship two-hop with named choices.
import type { HeldoutQuestionRow } from './heldout-picks.ts';

export const SUM_QUESTION: HeldoutQuestionRow = {
  question_text: 'The fair of Fupes began in year 53. It lasted 4 years. In which year did the fair of Fupes end?',
  choices: ['year 49', 'year 53', 'year 58', 'year 57'], ground_truth: 'D', topic: 'timeline', question_type: 'arithmetic',
};

export const HOP_QUESTION: HeldoutQuestionRow = {
  question_text: 'Vozefe is the parent of Jiminas. Jiminas is the parent of Saro. Who is the grandparent of Saro?',
  choices: ['Saro', 'Jiminas', 'Vozefe', 'Zufoma'], ground_truth: 'C', topic: 'kinship', question_type: 'two_hop',
};
