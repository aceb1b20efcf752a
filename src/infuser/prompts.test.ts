// Prompt text (§3.1, §3.5) and chat rendering: exact Solver messages, Generator template requirements,
// the plain fallback format and a Jinja chat template.
import { describe, expect, it } from 'vitest';
import {
  DOCUMENT_END,
  DOCUMENT_START,
  GENERATOR_TEMPLATES,
  SOLVER_SYSTEM_PROMPT,
  buildGeneratorMessages,
  buildSolverMessages,
  renderChat,
} from './prompts.ts';

describe('Solver prompt (§3.5)', () => {
  it('matches the spec text exactly, choices lettered from A', () => {
    const [system, user] = buildSolverMessages('What is 2 + 3?', ['4', '5', '6', '7']);
    expect(system).toEqual({
      role: 'system',
      content:
        'You are a knowledgeable assistant that solves multiple choice questions step by step. Always show your reasoning and put your final answer letter in \\boxed{}.',
    });
    expect(SOLVER_SYSTEM_PROMPT).toBe(system.content);
    const expected = [
      'Solve the following multiple choice question step by step.',
      '',
      'Question: What is 2 + 3?',
      'A) 4',
      'B) 5',
      'C) 6',
      'D) 7',
      '',
      'Think through this problem carefully. Show your reasoning process, then provide your final answer.',
      '',
      'IMPORTANT: Your final answer MUST be enclosed in \\boxed{<letter choice>} using ONLY the letter of the correct choice (A, B, C, D, E, F, G, H, I, J, etc.).',
      '',
      'Now solve the problem:',
    ].join('\n');
    expect(user).toEqual({ role: 'user', content: expected });
  });

  it('rejects empty questions and choice counts outside 2-26', () => {
    expect(() => buildSolverMessages('', ['a', 'b'])).toThrow(/question_text/);
    expect(() => buildSolverMessages('q', ['a'])).toThrow(/2-26 choices, got 1/);
  });
});

describe('Generator prompts (§3.1)', () => {
  const document = 'Water boils at 100 °C at sea level; costs $& and {braces} stay verbatim.';

  it.each(GENERATOR_TEMPLATES)('%s embeds the document between the markers and states the required rules', (template) => {
    const [system, user] = buildGeneratorMessages(document, template);
    expect(system.role).toBe('system');
    expect(user.role).toBe('user');
    expect(user.content).toContain(`${DOCUMENT_START}\n${document}\n${DOCUMENT_END}`);
    for (const key of ['"question_text"', '"choices"', '"ground_truth"']) expect(user.content).toContain(key);
    expect(user.content).toMatch(/exactly one JSON object/);
    expect(user.content).toMatch(/must come last/);
    expect(user.content).toMatch(/at least 4 and at most 8/);
    expect(user.content).toMatch(/letter prefixes/);
    expect(user.content).toMatch(/exact text of one of the choices/);
    expect(user.content).toMatch(/empty strings/);
  });

  it('reference carries the eight steps and the eight output keys; compact asks for three keys only', () => {
    const reference = buildGeneratorMessages(document, 'reference')[1].content;
    for (let step = 1; step <= 8; step++) expect(reference).toContain(`### Step ${step}:`);
    const keys = [
      'question_text', 'choices', 'ground_truth', 'difficulty', 'answer_quote',
      'hardening_process', 'knowledge_and_reasoning_steps', 'self_test_solution',
    ];
    for (const key of keys) expect(reference).toContain(`"${key}"`);
    const compact = buildGeneratorMessages(document, 'compact')[1].content;
    expect(compact).not.toContain('"difficulty"');
    expect(compact).not.toContain('"answer_quote"');
    expect(() => buildGeneratorMessages(document, 'long' as never)).toThrow(/unknown generator template "long"/);
  });
});

describe('renderChat', () => {
  const messages = [
    { role: 'system', content: 'S' },
    { role: 'user', content: 'U' },
  ];

  it('uses the documented plain format when the tokenizer has no template', () => {
    expect(renderChat(messages)).toBe('System:\nS\n\nUser:\nU\n\nAssistant:\n');
    expect(renderChat(messages, null, false)).toBe('System:\nS\n\nUser:\nU\n\n');
  });

  it('renders a ChatML Jinja template with and without the generation prompt', () => {
    const chatml =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
      "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    const body = '<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n';
    expect(renderChat(messages, chatml)).toBe(`${body}<|im_start|>assistant\n`);
    expect(renderChat(messages, chatml, false)).toBe(body);
  });

  it('passes extra context (bos_token) and reports template errors clearly', () => {
    expect(renderChat(messages, '{{ bos_token }}{{ messages | length }}', true, { bos_token: '<s>' })).toBe('<s>2');
    expect(() => renderChat(messages, "{{ raise_exception('no system role') }}")).toThrow(/chat template failed to render/);
  });
});
