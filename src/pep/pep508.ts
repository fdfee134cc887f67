/**
 * PEP 508 dependency specifiers and environment markers: one import for both halves.
 * Semantics follow `packaging` 26.2; see README.md in this folder.
 */
export { evaluateMarker } from "./marker-evaluate.js";
export type { MarkerContext, MarkerEnvironmentInput } from "./marker-evaluate.js";
export { formatMarker, parseMarker } from "./markers.js";
export type { Marker, MarkerValue, MarkerVariable, SourceLocation } from "./markers.js";
export { formatRequirement, parseRequirement } from "./requirement.js";
export type { Requirement } from "./requirement.js";
