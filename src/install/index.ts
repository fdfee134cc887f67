export { installWheel, type InstallWheelOptions, type InstallResult } from "./wheel.js";
export { compileAll, shutdownCompileWorkers, type CompileTarget, type CompileResult, type CompileOptions, type CompiledFile } from "./bytecode.js";
export { prefixLayout, sitePackagesDir, type PrefixLayout } from "./scheme.js";
export { parseScriptEntryPoints, scriptText, buildShebang, rewriteScriptShebang, type EntryPoint } from "./scripts.js";
export { parseRecord, formatRecord, type RecordRow } from "./record.js";
export { directUrlJson, validateDirectUrl, type DirectUrl } from "./direct-url.js";
