/** Inspecting environments and plans: the library side of build, run, show, why, graph, diff and doctor. */
export { buildPackages, closureOf, type BuiltPackage } from "./build.js";
export { diffEnvironments, membersOf, resolveEnvironment, storeRootOf, type EnvMember, type EnvironmentDiff } from "./diff.js";
export { doctor, type DoctorInput, type DoctorReport, type StoreHealth } from "./doctor.js";
export { environmentState, environmentVariables, type EnvironmentState } from "./environment.js";
export { compareRecords, differences, explainPlan, type ItemExplanation } from "./explain.js";
export { buildGraphOf, renderDot, renderGraphs, renderHtml, renderMermaid, runtimeGraphOf, type GraphFormat, type GraphNode, type SimpleGraph } from "./graph.js";
export { layoutGraph, type LayoutInput, type PlacedNode } from "./layout.js";
export { pathsByName, recordDerivation, recordedDerivation, recordPresent, splitPathName, type DerivationRecord, type RecordedPath } from "./record.js";
export { dependenciesOf, dependentsOf, displayKey, keyName, runtimeGraph, whyPaths, type RuntimeGraph, type WhyResult } from "./runtime-graph.js";
export { showPackage, type PackageReport } from "./show.js";
