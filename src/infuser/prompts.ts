// Prompt text for both roles and chat rendering (spec §3.1 Generator, §3.5 Solver).
// Stage 2 builds Generator messages from a document; Stages 1 and 3 build Solver messages from a question
// record or dev question; renderChat turns messages into the string the tokenizer encodes.
// The `reference` Generator template is adapted from FFishy-git/INFUSER utils/prompts.py
// (MCQ_QUESTION_GENERATION_*), MIT licence, Copyright (c) 2026 Siyu Chen: our wording, same eight steps
// and output keys. The Solver text is the reference's MCQ_ANSWER_GENERATION_* verbatim, with the system
// string's `\boxed{{}}` sent as `\boxed{}` (§9.6).
import { Template } from '@huggingface/jinja';

export interface ChatMessage {
  role: string;
  content: string;
}

export type GeneratorTemplate = 'reference' | 'compact';
export const GENERATOR_TEMPLATES: readonly GeneratorTemplate[] = ['reference', 'compact'];

export const DOCUMENT_START = '[BEGINNING OF THE DOCUMENT]';
export const DOCUMENT_END = '[END OF THE DOCUMENT]';

const REFERENCE_SYSTEM =
  'You are an expert examiner who writes difficult multiple-choice questions. ' +
  'Always reply with valid JSON in exactly the structure you are asked for.';

// Rules §3.1 requires of every template; shared so the two templates cannot drift apart.
const OUTPUT_RULES = `RULES:
1. Your reply must contain exactly one JSON object in the schema above, and it must come last.
2. "choices" holds at least 4 and at most 8 options.
3. Do not put letter prefixes such as "A)" or "B." in front of the choices.
4. "ground_truth" is the exact text of one of the choices, copied character for character.
5. If the document has no suitable content, return empty strings for every field.`;

const REFERENCE_STEPS = `## Steps

### Step 1: Find content worth a hard question
Look for material that links several ideas: relationships among three or more concepts from different parts of the text, processes with intermediate steps, comparisons and trade-offs ("however", "unlike", "except"), principles that can be applied to a new situation, and calculations whose steps depend on each other.
Avoid isolated facts, stand-alone definitions, lone numbers, lists without relations and anything a single lookup answers.

### Step 2: State your hardening strategy
Before writing the question, say how you will make it hard: which easy version you avoid, which layers of complexity you add, which misconceptions your distractors will exploit, which shortcuts you block, and how you force several reasoning steps.

### Step 3: Write one self-contained question
Write ONE question that combines several concepts, tests relationships rather than recall, and needs multi-step reasoning (possibly a "what if" variation of the text's situation).
The question must stand alone, as in a closed-book exam: never write "according to the document", "the passage states" or similar. Give the context it needs and define special terms, without revealing the key reasoning steps.

### Step 4: Aim for hard or extra hard
Hard: combines four or more concepts with multi-step problem solving. Extra hard: analysis of a complex system, counter-intuitive applications or edge cases. The question must not be answerable by finding one sentence or matching keywords.

### Step 5: Record the knowledge and reasoning path
List at least three distinct pieces of information from different parts of the document, how they connect, the intermediate steps, and why a simple lookup fails.

### Step 6: Write balanced choices
Write between 4 and 8 choices of similar length (within about 20%), with identical units and formatting for numbers and a neutral tone. Every distractor must be plausible to someone with partial understanding: a slip in one step of the calculation, reasoning that stops early, a related concept mixed up, or an approximation that misses a factor. Harder questions may use 6 to 8 choices.

### Step 7: Test your own question
Solve it as a student would. If two or more options can be eliminated without real understanding, if the options give the answer away, if it takes fewer than three reasoning steps or under 30 seconds, or if pattern matching finds the answer, redesign it.

### Step 8: Final check
Confirm that no single sentence answers it, that it connects several parts of the document, that it tests relationships rather than facts, and that all options are balanced and consistently formatted.`;

const REFERENCE_SCHEMA = `## Output format

Reply with a JSON object of this form:

{
  "question_text": "The complete, self-contained question",
  "choices": ["first choice", "second choice", "third choice", "fourth choice", "up to eight choices in total"],
  "ground_truth": "The exact text of the correct choice",
  "difficulty": "hard or extra_hard",
  "answer_quote": ["verbatim quote from the document", "another quote giving a different piece needed"],
  "hardening_process": "Your strategy from Step 2",
  "knowledge_and_reasoning_steps": "The reasoning path from Step 5",
  "self_test_solution": "Your step-by-step solution from Step 7"
}

The example only shows the structure: do not copy its content.`;

function documentBlock(document: string): string {
  return `${DOCUMENT_START}\n${document}\n${DOCUMENT_END}`;
}

function referenceUser(document: string): string {
  return [
    'Your task is to write a CHALLENGING multiple-choice exam question from a document, one that needs several connected facts and multi-step reasoning.',
    `## Document\n${documentBlock(document)}`,
    REFERENCE_STEPS,
    REFERENCE_SCHEMA,
    OUTPUT_RULES,
    'Now write the question:',
  ].join('\n\n');
}

const COMPACT_SYSTEM = 'You write multiple-choice questions about documents. Reply with valid JSON.';

function compactUser(document: string): string {
  return [
    'Read the document and write one difficult multiple-choice question that can be answered from it and needs more than one step of reasoning. The question must make sense on its own, without the document.',
    documentBlock(document),
    'Reply with a JSON object of this form:\n{"question_text": "the question", "choices": ["choice 1", "choice 2", "choice 3", "choice 4"], "ground_truth": "the exact text of the correct choice"}',
    OUTPUT_RULES,
  ].join('\n\n');
}

/** §3.1: the (system, user) messages asking the Generator for one MCQ about `document`. */
export function buildGeneratorMessages(document: string, template: GeneratorTemplate = 'reference'): ChatMessage[] {
  if (template === 'reference') {
    return [
      { role: 'system', content: REFERENCE_SYSTEM },
      { role: 'user', content: referenceUser(document) },
    ];
  }
  if (template === 'compact') {
    return [
      { role: 'system', content: COMPACT_SYSTEM },
      { role: 'user', content: compactUser(document) },
    ];
  }
  throw new Error(`prompts: unknown generator template "${template as string}"; expected reference or compact`);
}

/** §3.5 Solver system message (single braces, §9.6). */
export const SOLVER_SYSTEM_PROMPT =
  'You are a knowledgeable assistant that solves multiple choice questions step by step. ' +
  'Always show your reasoning and put your final answer letter in \\boxed{}.';

const CHOICE_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** "Question: …" followed by one "A) …" line per choice (reference format_mcq_question). */
export function formatMcqQuestion(questionText: string, choices: readonly string[]): string {
  if (questionText === '') throw new Error('prompts: a Solver question needs non-empty question_text');
  if (choices.length < 2 || choices.length > CHOICE_LETTERS.length) {
    throw new Error(`prompts: a Solver question needs 2-26 choices, got ${choices.length}`);
  }
  const lines = [`Question: ${questionText}`];
  choices.forEach((choice, i) => lines.push(`${CHOICE_LETTERS[i]}) ${choice}`));
  return lines.join('\n');
}

/** §3.5 Solver user message, lines exactly as the spec lists them. */
export function solverUserMessage(questionText: string, choices: readonly string[]): string {
  return [
    'Solve the following multiple choice question step by step.',
    '',
    formatMcqQuestion(questionText, choices),
    '',
    'Think through this problem carefully. Show your reasoning process, then provide your final answer.',
    '',
    'IMPORTANT: Your final answer MUST be enclosed in \\boxed{<letter choice>} using ONLY the letter of the correct choice (A, B, C, D, E, F, G, H, I, J, etc.).',
    '',
    'Now solve the problem:',
  ].join('\n');
}

/** §3.5: the (system, user) messages for one dev or generated question, choices in display order. */
export function buildSolverMessages(questionText: string, choices: readonly string[]): ChatMessage[] {
  return [
    { role: 'system', content: SOLVER_SYSTEM_PROMPT },
    { role: 'user', content: solverUserMessage(questionText, choices) },
  ];
}

/**
 * The plain chat format for tokenizers without a chat template: each message is its capitalised role,
 * a colon and a newline, the content, then a blank line; the generation prompt is "Assistant:\n".
 *   System:\n<system>\n\nUser:\n<user>\n\nAssistant:\n
 */
export function renderPlainChat(messages: readonly ChatMessage[], addGenerationPrompt = true): string {
  let out = '';
  for (const { role, content } of messages) {
    if (role === '') throw new Error('prompts: a chat message has an empty role');
    out += `${role[0].toUpperCase()}${role.slice(1)}:\n${content}\n\n`;
  }
  return addGenerationPrompt ? `${out}Assistant:\n` : out;
}

const compiledTemplates = new Map<string, Template>();

/**
 * Renders messages with a tokenizer's Jinja chat template (via @huggingface/jinja), or with the plain
 * format above when `chatTemplate` is absent, null or empty. `context` supplies template variables such as bos_token,
 * eos_token or enable_thinking, as transformers' apply_chat_template does.
 */
export function renderChat(
  messages: readonly ChatMessage[],
  chatTemplate?: string | null,
  addGenerationPrompt = true,
  context: Record<string, unknown> = {},
): string {
  if (chatTemplate === undefined || chatTemplate === null || chatTemplate === '') return renderPlainChat(messages, addGenerationPrompt);
  let template = compiledTemplates.get(chatTemplate);
  try {
    if (template === undefined) {
      template = new Template(chatTemplate);
      compiledTemplates.set(chatTemplate, template);
    }
    return template.render({ ...context, messages, add_generation_prompt: addGenerationPrompt });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`prompts: the tokenizer's chat template failed to render (${reason}); check chat_template in tokenizer_config.json`);
  }
}
