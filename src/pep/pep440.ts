/**
 * PEP 440 (version identification and dependency specification), matching `packaging` 26.2.
 * Versions live in pep440-version.ts, specifiers in pep440-specifier.ts; import from here.
 */
export {
  type ExactLocalPart,
  type ExactVersion,
  type PreLetter,
  type Version,
  baseVersion,
  compare,
  exactOf,
  isDevrelease,
  isPostrelease,
  isPrerelease,
  normalize,
  parse,
  publicVersion,
  tryParse,
} from "./pep440-version.js";
export {
  type SatisfiesOptions,
  type Specifier,
  type SpecifierOperator,
  type SpecifierSet,
  allowsPrereleases,
  filterVersions,
  formatSpecifier,
  formatSpecifierSet,
  parseSpecifier,
  parseSpecifierSet,
  satisfies,
} from "./pep440-specifier.js";
