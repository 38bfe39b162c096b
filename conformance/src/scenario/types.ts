// The shape of scenario and profile files, as checked by
// schema/scenario.schema.json and schema/profile.schema.json. The schemas are
// the documentation of the step vocabulary and the one declaration of it: the
// types are generated from them (src/gen/scenario.ts, `npm run generate`);
// this module only names them as the suite uses them.

import type { Case, ProfileFile, ScenarioFile, Step } from "../gen/scenario.js";

export type {
  Kind,
  ProfileSymbol,
  Quirk,
  QuirkWhen,
  Severity,
  StartParams,
  Step,
  TextMatcher,
} from "../gen/scenario.js";

/** The keys of every member of a union (distributes over `U`). */
type KeysOfEach<U> = U extends unknown ? keyof U : never;
/** Every step name: the one key of each member of `Step`. */
export type StepName = KeysOfEach<Step>;
/** The parameters of each step, by step name. */
export type StepParams = { [K in StepName]: Extract<Step, Record<K, unknown>>[K] };

export type ScenarioCase = Case;

export type Feature = ScenarioFile & {
  /** The file it was read from. */
  readonly file: string;
};

export type Profile = ProfileFile & {
  /** The file it was read from. */
  readonly file: string;
};

export function stepName(step: Step): StepName {
  return Object.keys(step)[0] as StepName;
}

export function stepParams<K extends StepName>(step: Step, name: K): StepParams[K] {
  return (step as Record<K, StepParams[K]>)[name];
}
