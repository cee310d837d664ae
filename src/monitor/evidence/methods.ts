import { METHOD_TYPES } from '../../methods/method.ts';
import { COVERAGE_LEVELS } from '../../policy/store/coverage.ts';
import { figure, share, table, type EvidenceSection } from './model.ts';
import type { PersonFact } from './people.ts';
import { LEVEL_WORDS, METHOD_WORDS } from './texts.ts';

/** Method mix: who has registered what, and the strongest sign-in that allows. */
export function methodMixSection(people: readonly PersonFact[]): EvidenceSection {
  const byLevel = COVERAGE_LEVELS.map((level) => ({ level, words: LEVEL_WORDS[level], people: people.filter((p) => p.level === level).length }));
  const byMethod = METHOD_TYPES.map((method) => ({ method, words: METHOD_WORDS[method], people: people.filter((p) => p.methods.includes(method)).length })).filter((r) => r.people > 0);
  const resistant = byLevel[0]!.people;
  return {
    id: 'method-mix',
    title: 'Method mix',
    about: 'Active people (not service accounts) by the methods they have registered when the pack was made, and by the strongest sign-in the password and one other of their methods reach.',
    figures: [
      figure('people', 'Active people', people.length),
      figure('withMfa', 'People who can sign in with MFA', people.length - byLevel[3]!.people),
      figure('phishingResistant', 'People who can sign in with phishing-resistant MFA', resistant),
      figure('phishingResistantShare', 'Phishing-resistant share', share(resistant, people.length)),
    ],
    tables: [
      table('method-mix-by-strength', 'People by the strongest sign-in they can make', [['words', 'Strength'], ['people', 'People']], byLevel),
      table('method-mix-by-method', 'People by registered method', [['words', 'Method'], ['people', 'People who registered it']], byMethod),
    ],
  };
}
